"""Thread counts of the BLAS libraries that Python packages bring along (numpy's and SciPy's OpenBLAS).

Caffe's convolutions run on oneDNN's OpenMP threads, one per core. When numpy's OpenBLAS also keeps a thread per
core, the two pools take turns on the same cores, and the threads of one spin while the other works: one evaluation
of the total loss at 128 x 85 px measured 163 ms so, and 97 ms with numpy's BLAS on one thread (256 px: 388 and
344 ms; 512 px: the same). Caffe's own BLAS and OpenMP are left as they are.
SciPy's L-BFGS-B works on vectors whose operations are too short to share between threads: its own steps run with
every BLAS on one thread (on a busy machine threads there multiplied its time).
"""

from __future__ import annotations

import contextlib
import sysconfig
from collections.abc import Iterator
from pathlib import Path

_every_blas = None


@contextlib.contextmanager
def all_blas_on_one_thread() -> Iterator[None]:
    """Inside: every BLAS loaded in this process uses one thread (the controller is made on first use, once
    SciPy's optimiser is loaded: 20 us to enter and leave)."""
    global _every_blas
    if _every_blas is None:
        from threadpoolctl import ThreadpoolController

        _every_blas = ThreadpoolController()
    with _every_blas.limit(limits=1, user_api="blas"):
        yield


def _packaged(filepath: str) -> bool:
    """Whether a library lives inside this Python's installed packages (numpy.libs, scipy.libs, ...)."""
    roots = {Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")}
    path = Path(filepath).resolve()
    return any(root in path.parents for root in roots)


@contextlib.contextmanager
def packaged_blas_on_one_thread() -> Iterator[None]:
    """Inside: numpy's and SciPy's BLAS (those loaded on entry) use one thread each; Caffe's libraries keep theirs."""
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()
    packaged = [lib.filepath for lib in controller.lib_controllers
                if lib.user_api == "blas" and _packaged(lib.filepath)]
    if not packaged:
        yield
        return
    with controller.select(filepath=packaged).limit(limits=1):  # select() keeps libraries matching any condition
        yield
