"""The wheel is complete: every brushstrokes subpackage, lessons/, solutions/, and the VGG19 definition with the
weights' checksums as package data, which brushstrokes.base.paths finds once installed. Built offline, from a copy
of the repository's files (setuptools writes build/ beside the sources)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from brushstrokes.base import paths

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "brushstrokes", "lessons", "solutions", "models")


def _packages(root: Path, top: str) -> list[str]:
    """Dotted names of `top` and its subpackages (folders with an __init__.py) under root."""
    return sorted(".".join(p.parent.relative_to(root).parts) for p in (root / top).rglob("__init__.py"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools", reason="the wheel is built without build isolation, with .venv's setuptools")
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (paths.ROOT / name).is_dir():
            shutil.copytree(paths.ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif (paths.ROOT / name).exists():
            shutil.copy2(paths.ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "-w", str(out), "--no-deps",
                           "--no-build-isolation", "--no-index", "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    [built] = out.glob("brushstrokes-*.whl")
    return built


def test_wheel_holds_every_package_and_the_models(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = _packages(paths.ROOT, "brushstrokes") + ["lessons", "solutions"]
    missing = [p for p in packages if f"{p.replace('.', '/')}/__init__.py" not in names]
    assert not missing, f"not in the wheel (add them to [tool.setuptools] packages in pyproject.toml): {missing}"
    for package in packages:
        folder = paths.ROOT.joinpath(*package.split("."))
        modules = {f"{package.replace('.', '/')}/{m.name}" for m in folder.glob("*.py")}
        assert modules <= names, f"modules of {package} not in the wheel: {sorted(modules - names)}"
    with zipfile.ZipFile(wheel) as z:
        for name in ("vgg19.prototxt", "checksums.txt"):
            assert z.read(f"brushstrokes/models/{name}") == (paths.ROOT / "models" / name).read_bytes()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "brushstrokes = brushstrokes.cli:main" in z.read(entry_points).decode()


def test_installed_package_finds_the_models_and_doctor_runs(wheel, tmp_path):
    """Installed with pip --target and imported from there (not from the repository), from another folder:
    paths finds the prototxt in the package and `brushstrokes doctor` reports without a traceback."""
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                           str(site), str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run([sys.executable, "-c", "import brushstrokes.base.paths as p; "
                            "print(p.__file__); print(p.PROTOTXT); print(p.MODELS / 'checksums.txt')"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    module, prototxt, checksums = (Path(line) for line in probe.stdout.splitlines())
    assert module.is_relative_to(site)
    assert prototxt == site / "brushstrokes" / "models" / "vgg19.prototxt" and prototxt.is_file()
    assert checksums.is_file()
    doctor = subprocess.run([sys.executable, "-m", "brushstrokes", "doctor"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in doctor.stdout + doctor.stderr, doctor.stdout + doctor.stderr
    assert doctor.returncode in (0, 1), doctor.stdout + doctor.stderr
    assert "Brushstrokes doctor" in doctor.stdout


def test_models_dir_prefers_the_repository_and_falls_back_to_the_package(tmp_path):
    assert paths.models_dir() == paths.ROOT / "models"
    assert paths.models_dir(root=tmp_path, package=tmp_path / "pkg") == tmp_path / "pkg" / "models"
