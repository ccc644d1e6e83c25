"""SciPy's L-BFGS-B for a picture's pixels, without the per-call costs that do not scale with a picture.

`scipy.optimize.minimize(method="L-BFGS-B")` prepares the bounds with a Python loop over every variable (1.4 s for
a 512 x 341 picture's 524,000 pixels, before the first iteration) and lets OpenBLAS start threads for vectors whose
operations are too short to share (on a busy machine that multiplies the optimiser's own time). This module drives the
same compiled routine (`setulb`, as `minimize` does, with minimize's default settings), so the iterates are the same
as minimize's, bit for bit; it builds the bound types with numpy and runs the optimiser's own steps on one thread.
x: flat float64 (n,); fun(x) -> (loss, gradient (n,) float64).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from brushstrokes.base import threads

# minimize(method="L-BFGS-B")'s defaults
MAXCOR, FTOL, GTOL, MAXLS, MAXFUN = 10, 2.2204460492503131e-09, 1e-5, 20, 15000


def _routine():
    """SciPy's compiled L-BFGS-B (scipy >= 1.15), the module whose setulb minimize() drives; None if absent."""
    try:
        from scipy.optimize import _lbfgsb
    except ImportError:
        return None
    return _lbfgsb if hasattr(_lbfgsb, "setulb") else None


def available() -> bool:
    """Whether SciPy's compiled routine can be driven directly (else use scipy.optimize.minimize)."""
    return _routine() is not None


def minimize(fun: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray, lower: np.ndarray,
             upper: np.ndarray, maxiter: int, callback: Callable[[np.ndarray, float], bool] | None = None,
             at_x0: tuple[float, np.ndarray] | None = None) -> tuple[np.ndarray, float, int]:
    """Minimise fun from x0 within lower <= x <= upper (finite bounds) for at most maxiter iterations.

    callback(x, f) after each iteration; True stops the run. at_x0: fun(x0) when the caller has it already (x0
    within the bounds), so that the first evaluation is not repeated. Returns (x, f, iterations).
    """
    n, m = x0.size, MAXCOR
    x = np.clip(np.asarray(x0, dtype=np.float64), lower, upper)
    known = at_x0 if at_x0 is not None and np.array_equal(x, x0) else None
    low, up = np.asarray(lower, dtype=np.float64).copy(), np.asarray(upper, dtype=np.float64).copy()
    nbd = np.full(n, 2, dtype=np.int32)  # 2: both bounds finite
    f, g = 0.0, np.zeros(n)
    wa = np.zeros(2 * m * n + 5 * n + 11 * m * m + 8 * m)
    iwa = np.zeros(3 * n, dtype=np.int32)
    task, ln_task = np.zeros(2, dtype=np.int32), np.zeros(2, dtype=np.int32)
    lsave, isave, dsave = np.zeros(4, dtype=np.int32), np.zeros(44, dtype=np.int32), np.zeros(29)
    factr, setulb = FTOL / np.finfo(float).eps, _routine().setulb
    iterations = evaluations = 0
    while True:
        with threads.all_blas_on_one_thread():
            setulb(m, x, low, up, nbd, f, g, factr, GTOL, wa, iwa, task, lsave, isave, dsave, MAXLS,
                           ln_task)
        if task[0] == 3:  # wants f and g at x
            loss, grad = known if evaluations == 0 and known is not None else fun(x)
            f, g = float(loss), np.asarray(grad, dtype=np.float64)
            evaluations += 1
        elif task[0] == 1:  # a new iteration
            iterations += 1
            if callback is not None and callback(x, float(f)):
                task[0], task[1] = 5, 505
            if iterations >= maxiter:
                task[0], task[1] = 5, 504
            elif evaluations > MAXFUN:
                task[0], task[1] = 5, 502
        else:
            break
    return x, float(f), iterations
