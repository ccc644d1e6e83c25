"""brushstrokes.runs.lbfgsb drives SciPy's compiled L-BFGS-B: the same iterates as minimize, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, minimize

from brushstrokes.runs import lbfgsb

pytestmark = pytest.mark.skipif(not lbfgsb.available(), reason="this SciPy has no compiled setulb to drive")


def problem(n: int = 600, seed: int = 0):
    """A bounded, non-quadratic problem whose optimum puts some variables on their bounds."""
    rng = np.random.default_rng(seed)
    target, scale = rng.uniform(-150, 300, n), rng.uniform(0.5, 2, n)
    lo, hi = np.full(n, -100.0), np.full(n, 155.0)

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        d = z - target
        return float(0.5 * np.sum(scale * d * d) + 3 * np.sum(np.cos(z / 7))), scale * d - 3 / 7 * np.sin(z / 7)

    return fun, rng.uniform(-50, 50, n), lo, hi


@pytest.mark.parametrize("iters", [1, 7, 40])
def test_same_iterates_as_minimize(iters):
    fun, x0, lo, hi = problem()
    seen = []
    expected = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi), options={"maxiter": iters},
                        callback=lambda intermediate_result: seen.append(
                            (intermediate_result.x.copy(), intermediate_result.fun)))
    ours = []
    x, f, k = lbfgsb.minimize(fun, x0, lo, hi, iters, lambda x, f: ours.append((x.copy(), f)) and False)
    assert k == expected.nit == len(seen) == len(ours)
    assert np.array_equal(x, expected.x) and f == expected.fun
    for (xa, fa), (xb, fb) in zip(seen, ours, strict=True):
        assert np.array_equal(xa, xb) and fa == fb
    assert np.any(x == lo) or np.any(x == hi), "the problem should put some variables on a bound"


def test_known_start_is_not_evaluated_again_and_callback_stops():
    fun, x0, lo, hi = problem()
    calls = []

    def counted(z):
        calls.append(z.copy())
        return fun(z)

    x, f, k = lbfgsb.minimize(counted, x0, lo, hi, 50, lambda x, f: True, at_x0=fun(x0))
    assert k == 1
    assert not any(np.array_equal(c, x0) for c in calls), "fun(x0) was given and must not be computed again"
    reference = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi), options={"maxiter": 1})
    assert np.array_equal(x, reference.x)


def test_the_optimisers_own_steps_run_on_one_blas_thread():
    from threadpoolctl import threadpool_info

    from brushstrokes.base import threads

    with threads.all_blas_on_one_thread():
        inside = {d["filepath"]: d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"}
    assert inside and set(inside.values()) == {1}, inside


def test_numpy_and_scipy_blas_on_one_thread_and_caffes_untouched():
    """brushstrokes.base.threads limits only the BLAS libraries inside Python's packages (numpy's, SciPy's)."""
    import scipy.optimize  # noqa: F401  (loads SciPy's BLAS)
    from threadpoolctl import threadpool_info

    from brushstrokes.base import threads

    before = {d["filepath"]: d["num_threads"] for d in threadpool_info()}
    with threads.packaged_blas_on_one_thread():
        inside = {d["filepath"]: d["num_threads"] for d in threadpool_info()}
    packaged = [p for p in inside if threads._packaged(p) and "openblas" in p]
    assert packaged, inside
    assert all(inside[p] == 1 for p in packaged)
    assert all(inside[p] == before[p] for p in inside if not threads._packaged(p)), (before, inside)
    assert {d["filepath"]: d["num_threads"] for d in threadpool_info()} == before
