"""tools/dev/bench_paint.py's own logic on made-up figures (`make bench` runs the bench itself, on the real VGG19)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from tools.dev import bench_paint


def test_busy_spins_while_the_block_runs_and_leaves_no_process():
    with bench_paint.busy(2) as spinners:
        assert len(spinners) == 2
        assert all(p.poll() is None for p in spinners)
    assert all(p.returncode is not None for p in spinners)


def test_busy_leaves_no_process_when_the_block_fails():
    with pytest.raises(RuntimeError), bench_paint.busy(1) as spinners:
        raise RuntimeError("bench failed")
    assert spinners[0].returncode is not None


def figures(seconds: float, loss: float, **extra) -> dict:
    return {"seconds": seconds, "iters": 20, "evals": 21, "caffe": seconds * 0.8, "scipy": seconds * 0.05,
            "fun": seconds * 0.9, "loss": loss, "shape": [85, 128], **extra}


def test_the_report_gives_per_start_gaps_their_mean_and_the_ratio_at_256(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench_paint, "BENCH", tmp_path)
    for side, value in (("pycaffe", 10.0), ("pytorch", 12.0)):
        np.save(bench_paint.picture_path(side, 256, 1), np.full((1, 3, 2, 2), value))
    runs = {"pycaffe": [{"256": figures(4.0, 101.0)}, {"256": figures(3.0, 99.0, nudged=98.0)}],
            "pytorch": [{"256": figures(5.0, 100.0)}, {"256": figures(6.0, 100.0, nudged=102.0,
                                                                         scores_pycaffe=99.0)}]}
    args = argparse.Namespace(sizes=[256], rounds=2, nudge=0.001)
    assert bench_paint.report_times(args, runs) == pytest.approx((3.0 / 20) / (5.0 / 20))
    bench_paint.report_losses(args, runs)
    out = capsys.readouterr().out
    assert "101 / 100 (+1.00 %); 99 / 100 (-1.00 %); mean 100 / 100 (+0.00 %)" in out
    assert "per-start gap +0.00 ± 1.00 %" in out
    assert "scores pycaffe's final picture 99 (pycaffe: 99)" in out
    assert "differ by 2.0 grey levels" in out
    assert "pycaffe 98 (-1.01 % of its own), pytorch 102 (+2.00 % of its own)" in out
