"""Write the checks' reference files: `python -m tools.dev.references [--lesson N] [--out DIR]`."""

from __future__ import annotations

import argparse
import datetime
import importlib
import sys
from pathlib import Path

import numpy as np

from brushstrokes import course
from brushstrokes.base.outputs import atomic_path
from brushstrokes.base.paths import ROOT
from brushstrokes.net.caffe_env import build_info, use_best_device
from brushstrokes.net.vgg import load_vgg19

OUT = ROOT / "checks" / "references"


def metadata(device: str, lesson: course.Lesson, inputs: str) -> dict[str, np.ndarray]:
    """Where and with what the references were made, as string arrays."""
    info = build_info()
    return {"meta_device": np.array(device.upper()),
            "meta_caffe": np.array(f"caffe {info['version']} ({info['variant']} build, {info['blas']})"),
            "meta_numpy": np.array(np.__version__),
            "meta_date": np.array(datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")),
            "meta_made_by": np.array(f"tools/dev/references/lesson{lesson.number}.py "
                                     f"from solutions/{lesson.module}.py"),
            "meta_inputs": np.array(inputs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", help="one lesson's number (default: every lesson with a module here)")
    parser.add_argument("--out", type=Path, default=OUT, help="the folder to write to (default checks/references)")
    args = parser.parse_args(argv)
    lessons = [course.lesson(args.lesson)] if args.lesson else list(course.LESSONS)
    net = load_vgg19(pooling="avg", shape=(32, 32))
    device = use_best_device()
    args.out.mkdir(parents=True, exist_ok=True)
    for lesson in lessons:
        try:
            module = importlib.import_module(f"tools.dev.references.lesson{lesson.number}")
        except ModuleNotFoundError:
            print(f"lesson {lesson.number}: no tools/dev/references/lesson{lesson.number}.py, nothing to write")
            continue
        arrays = {**metadata(device, lesson, module.INPUTS), **module.make(net)}
        path = args.out / f"lesson{lesson.number}.npz"
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                np.savez_compressed(f, **arrays)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, {len(arrays)} arrays) on {device.upper()}: "
              + module.summary(arrays))
    return 0


if __name__ == "__main__":
    sys.exit(main())
