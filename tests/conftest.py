"""Shared fixtures: the real VGG19 (loaded once), small inputs, and the project's commands in a child process.

`cli` runs a command to its end; `spawn_cli` starts one and reads its output against a deadline. No child outlives
its test, and no wait is without a limit: a command that hangs fails its test with the output so far.
Tests that start a child or load the real VGG19 take seconds each: they are marked `slow` (see SLOW_FIXTURES and
SLOW_TESTS); `pytest tests/ -m "not slow"` (`make test-quick`) leaves them out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pytest

from brushstrokes.base import paths
from brushstrokes.net import images

pytest.register_assert_rewrite("support")  # tests/support.py: its asserts explain themselves too

# Ctrl-C as a terminal delivers it, however the suite was started: a shell that starts `make test &` or `nohup`
# ignores SIGINT, and Python then keeps it ignored, in this process and in every command the tests spawn, so
# tests of what Ctrl-C does would see nothing happen. A handled signal is reset to the default in a child.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

RUN_SECONDS = 300.0  # a whole command at a tiny size, on a loaded machine
WAIT_SECONDS = 120.0  # for a line of output, or for a signalled command to end

# fixtures that make a test slow: a child process, the real VGG19, the built site (test_site.py), headless Chromium
SLOW_FIXTURES = frozenset({"cli", "spawn_cli", "vgg", "vgg_max", "site", "browser"})
# tests that use none of them and still take 0.3 s or more (measured with --durations=0): file -> test functions
SLOW_TESTS: dict[str, frozenset[str]] = {
    "test_caffe_build.py": frozenset({
        "test_build_script_reuses_the_cached_build",
        "test_import_caffe_in_venv",
    }),
    "test_dnnl_conv.py": frozenset({
        "test_vgg19_matches_caffes_own_convolution",
    }),
    "test_mutants.py": frozenset({
        "test_classic_mistake_is_caught_and_named",
        "test_every_expected_note_is_a_hint_the_checks_can_give",
        "test_every_hint_is_given_in_english_and_chinese",
        "test_every_hint_is_the_expected_note_of_a_classic_mistake_of_its_exercise",
        "test_every_hint_the_checks_give_is_read_from_their_source",
    }),
    "test_packaging.py": frozenset({
        "test_installed_package_finds_the_models_and_doctor_runs",
        "test_wheel_holds_every_package_and_the_models",
    }),
    "test_reliability_paint.py": frozenset({
        "test_paint_ending_in_nan_with_the_reference_code_blames_no_exercise",
    }),
    "test_reliability_tools.py": frozenset({
        "test_an_unwritable_score_json_is_refused_before_any_check",
    }),
}


def command_line(args: tuple[str, ...], program: str | None) -> list[str]:
    """`python -m program args` (program: "brushstrokes", "pytest", ...), or `python args` when program is None."""
    return [sys.executable, *(("-m", program) if program else ()), *args]


def command_env(env: Mapping[str, str | None] | None) -> dict[str, str]:
    """This process's environment, English messages and unbuffered output, then `env` on top (None: removed)."""
    full = {**os.environ, "BRUSHSTROKES_LANG": "en", "PYTHONUNBUFFERED": "1", **(env or {})}
    return {name: value for name, value in full.items() if value is not None}


def run_cli(*args: str, env: Mapping[str, str | None] | None = None, timeout: float = RUN_SECONDS,
            cwd: Path = paths.ROOT, program: str | None = "brushstrokes") -> subprocess.CompletedProcess:
    """`python -m brushstrokes args` (or another `program`) run to its end within `timeout` s, output as text."""
    return subprocess.run(command_line(args, program), capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=command_env(env))


class CliProcess:
    """A command left running. Its stdout and stderr are read as they come (lines in `stdout`, `stderr`), so that
    `wait_for` can give up at a deadline; `communicate` ends like subprocess.Popen's, within a limit too."""

    running: list[CliProcess] = []  # every one started and not yet closed, for `close_every_child`

    def __init__(self, argv: list[str], env: Mapping[str, str | None] | None, cwd: Path, new_session: bool) -> None:
        self.argv, self.new_session = argv, new_session
        self.popen = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
                                      env=command_env(env), start_new_session=new_session)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.handed_out = 0  # stdout lines already returned by wait_for or communicate
        self.changed = threading.Condition()
        self.readers = [threading.Thread(target=self.read, args=(pipe, lines), daemon=True)
                        for pipe, lines in ((self.popen.stdout, self.stdout), (self.popen.stderr, self.stderr))]
        for reader in self.readers:
            reader.start()
        CliProcess.running.append(self)

    def read(self, pipe, lines: list[str]) -> None:
        for line in pipe:
            with self.changed:
                lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.returncode

    def poll(self) -> int | None:
        return self.popen.poll()

    def send_signal(self, sig: int) -> None:
        """`sig` to the command, or to its whole process group (as a terminal's Ctrl-C) when it has its own."""
        if self.new_session:
            os.killpg(self.pid, sig)
        else:
            self.popen.send_signal(sig)

    def output(self) -> str:
        with self.changed:
            return f"$ {' '.join(self.argv)}\n--- stdout\n{''.join(self.stdout)}--- stderr\n{''.join(self.stderr)}"

    def fail(self, why: str) -> None:
        """Stop the command and fail the test with `why` and everything it printed."""
        self.close()
        pytest.fail(f"{why}\n{self.output()}")

    def wait_for(self, text: str, timeout: float = WAIT_SECONDS) -> str:
        """The next stdout line holding `text`, within `timeout` s; the test fails if the command ends first."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                while self.handed_out < len(self.stdout):
                    line = self.stdout[self.handed_out]
                    self.handed_out += 1
                    if text in line:
                        return line
                if not self.readers[0].is_alive():
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.changed.wait(left)
        self.fail(f"no line with {text!r} within {timeout:g} s" if self.readers[0].is_alive() else
                  f"the command ended (status {self.poll()}) without a line with {text!r}")
        raise AssertionError  # not reached: fail raised

    def wait_until(self, done: Callable[[], bool], timeout: float = WAIT_SECONDS, what: str = "") -> None:
        """Wait until `done()` (polled every 0.1 s) within `timeout` s; the test fails if the command ends first."""
        deadline = time.monotonic() + timeout
        while not done():
            if self.poll() is not None:
                self.fail(f"the command ended (status {self.returncode}) before {what or done}")
            if time.monotonic() > deadline:
                self.fail(f"not {what or done} within {timeout:g} s")
            time.sleep(0.1)

    def communicate(self, timeout: float = WAIT_SECONDS) -> tuple[str, str]:
        """(stdout not yet returned by wait_for, all of stderr) once the command ends within `timeout` s."""
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.fail(f"the command did not end within {timeout:g} s")
        for reader in self.readers:
            reader.join(10)
        with self.changed:
            rest = "".join(self.stdout[self.handed_out:])
            self.handed_out = len(self.stdout)
            return rest, "".join(self.stderr)

    def close(self) -> None:
        """Kill the command (its process group, when it has its own) if it is still running."""
        if self.popen.poll() is None:
            try:
                if self.new_session:
                    os.killpg(self.pid, signal.SIGKILL)
                else:
                    self.popen.kill()
            except ProcessLookupError:
                pass
            self.popen.wait(30)
        for reader in self.readers:
            reader.join(10)
        if self in CliProcess.running:
            CliProcess.running.remove(self)


def start_cli(*args: str, env: Mapping[str, str | None] | None = None, cwd: Path = paths.ROOT,
              program: str | None = "brushstrokes", new_session: bool = False) -> CliProcess:
    """`python -m brushstrokes args` (or another `program`) started and left running; new_session: in a process
    group of its own, which `send_signal` then signals whole."""
    return CliProcess(command_line(args, program), env, cwd, new_session)


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """run_cli: `cli("content", "--size", "32", env={...}, timeout=60)`; `cli("checks/", program="pytest")`."""
    return run_cli


@pytest.fixture
def spawn_cli() -> Callable[..., CliProcess]:
    """start_cli: `proc = spawn_cli("content", ...); proc.wait_for("Finding the content"); proc.communicate()`."""
    return start_cli


@pytest.fixture(autouse=True)
def close_every_child():
    """No child started with start_cli outlives its test, whether it passed or failed."""
    yield
    for proc in list(CliProcess.running):
        proc.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark slow every test that runs a command or loads the real VGG19, and the few measured slow otherwise."""
    for item in items:
        name = getattr(item, "originalname", item.name)
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or name in SLOW_TESTS.get(item.path.name, ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def vgg():
    """The real VGG19 with average pooling, input 32x32 (reshape as needed)."""
    from brushstrokes.net.vgg import load_vgg19

    return load_vgg19(pooling="avg", shape=(32, 32))


@pytest.fixture(scope="session")
def vgg_max():
    """The real VGG19 with max pooling, input 32x32."""
    from brushstrokes.net.vgg import load_vgg19

    return load_vgg19(pooling="max", shape=(32, 32))


@pytest.fixture
def cat32() -> np.ndarray:
    """The cat at 32x32 px in Caffe layout (1, 3, 32, 32)."""
    return images.preprocess(images.load_image(paths.CAT, size=(32, 32)))
