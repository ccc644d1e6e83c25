"""Lesson 3's figures and numbers for the docs, made with solutions/ on the real (normalised) VGG19.

Usage: nice -n 10 .venv/bin/python tools/site/figures/lesson3.py [--size 128] [--iters N] [--out DIR]
                                                             [--quick | --render-only]

Writes to docs/assets/figures/lesson3/ (about 10 minutes on 2 busy CPU cores; --quick: a few iterations, to try it):
    cat_scream.png        the cat painted in the style of The Scream with `brushstrokes paint`'s defaults
    cat_scream_style_scale_0.5.png   the same with --style-scale 0.5 (the painting half as large)
    ratio_sweep.png       alpha/beta from 1e-4 to 1e-6
    content_layer.png     content at conv2_2 vs conv4_2
    init.png              starting from white noise, the photo, the painting
    optimisers.png        loss per iteration: L-BFGS vs lesson 1's normalised gradient descent
    tv.png                without and with the total-variation loss
    colours.png           the painted cat, and with the photo's colours kept
    numbers.json          every run's settings, seconds, load average and losses (beta = 1 included); content and
                          style losses at 128/256/512 px with the painting's targets scaled to the picture's positions;
                          seconds per evaluation at 128/256/512 px; the seconds of `make demo`'s command; the
                          total-variation run's numbers; the L-BFGS runs with the write-up's mismatched loss, on the
                          raw and on the normalised VGG19
The figures with text come in English (x.png) and Chinese (x.zh.png); the size of each figure's smallest label goes
into docs/assets/figures/labels.json. The runs' results are kept in output/figure-data/lesson3.npz; --render-only
draws the figures again from it, without running the network. Every file is written whole or not at all, together
at the end (brushstrokes.base.outputs.OutputSet). The pages take their numbers from numbers.json (tools/site/hooks.py).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import minimize

from brushstrokes.base import outputs, paths, threads
from brushstrokes.net import images
from brushstrokes.net.layers import STYLE_LAYERS, set_input_shape
from brushstrokes.net.vgg import features, load_vgg19
from brushstrokes.runs import fast_style, plotting
from brushstrokes.runs.paint import Painted, PaintSettings, paint_picture
from brushstrokes.runs.paint_targets import painting_grams, style_size
from brushstrokes.runs.paint_settings import DEFAULT_ITERS, DEFAULT_RATIO
from brushstrokes.runs.style_targets import layer_positions
from solutions import lesson1_content as l1
from solutions import lesson2_style as l2
from solutions import lesson3_paint as l3

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/site/figures: the helpers the figure scripts share
from figure_common import (  # noqa: E402
    kept_runs,
    load_average,
    load_now,
    loss_plot,
    picture_grid,
    record_labels,
    timed_command,
)

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson3"
DATA = paths.ROOT / "output" / "figure-data" / "lesson3.npz"
RATIOS = (1e-4, 1e-5, 3e-6, 1e-6)
TV_WEIGHT = 5e-6
HALF_SCALE = "cat_scream_style_scale_0.5.png"


def ratio_name(ratio: float) -> str:
    """1e-4 -> 'ratio_1e-4': the run's key in numbers.json (a name the pages' placeholders can spell)."""
    return "ratio_" + f"{ratio:.0e}".replace("e-0", "e-")


def save_picture(picture: np.ndarray, path: Path, scale: int = 3) -> None:
    """The picture enlarged `scale` times (nearest neighbour: every pixel stays visible)."""
    big = np.repeat(np.repeat(np.asarray(picture, dtype=np.uint8), scale, axis=0), scale, axis=1)
    images.save_image(path, big)


def run(record: dict, name: str, net, **changes) -> Painted:
    s = dataclasses.replace(BASE, **changes)
    print(f"  {name}: {', '.join(f'{k}={v}' for k, v in changes.items()) or 'the defaults'}", flush=True)
    done = paint_picture(s, net=net, quiet=True)
    h, w = done.photo.shape[:2]
    sw, sh = style_size(images.image_size(s.styles[0]), (w, h), s.style_fit, s.style_scale)
    record[name] = {"ratio": done.alpha / done.beta, "alpha": done.alpha, "beta": done.beta, "size": s.size,
                    "picture": f"{w}x{h}", "painting": f"{sw}x{sh}", "style_fit": s.style_fit,
                    "style_scale": s.style_scale, "max_iterations": s.iters, "iterations": len(done.losses) - 1,
                    "stopped_early": len(done.losses) - 1 < s.iters, "init": s.init, "seed": s.seed,
                    "optimizer": s.optimizer, "content_layer": s.content_layer, "tv_weight": s.tv_weight,
                    "seconds": round(done.seconds, 1), "load_average": load_now(),
                    "first_loss": done.losses[0], "last_loss": done.losses[-1]}
    print(f"    {len(done.losses) - 1} iterations, {done.seconds:.0f} s, loss {done.losses[0]:.4g} -> "
          f"{done.losses[-1]:.4g}", flush=True)
    return done


def painting_targets(net, h: int, w: int, fit: str = "keep", scale: float = 1.0) -> tuple[dict, str]:
    """({layer: A_l} of The Scream as `brushstrokes paint` makes them for an h x w picture (its own aspect ratio
    kept by default, each Gram matrix scaled to the picture's positions), 'WxH' of the painting); the net is left
    shaped for the picture."""
    set_input_shape(net, h, w)
    M = layer_positions(net, STYLE_LAYERS)
    sw, sh = style_size(images.image_size(paths.SCREAM), (w, h), fit, scale)
    scream = images.preprocess(images.load_image(paths.SCREAM, size=(sh, sw)))
    A = painting_grams(net, scream, STYLE_LAYERS, M, l2.gram)
    set_input_shape(net, h, w)
    return A, f"{sw}x{sh}"


def cat_targets(net, size: int) -> tuple[tuple[int, int], np.ndarray, dict, str]:
    """The cat at `size` (longest side): its (H, W), conv4_2 features P, The Scream's targets A as `brushstrokes
    paint` makes them and the painting's size "WxH"; the net is left at the cat's size."""
    photo = images.load_image(paths.CAT, longest=size)
    h, w = photo.shape[:2]
    set_input_shape(net, h, w)
    P = features(net, images.preprocess(photo), ("conv4_2",))["conv4_2"]
    A, painting = painting_targets(net, h, w)
    return (h, w), P, A, painting


def loss_scales(sizes=(128, 256, 512)) -> dict:
    """Content loss (noise vs the cat) and each E_l (noise vs The Scream, targets as `brushstrokes paint` makes
    them) at several sizes, normalised net; and how the two scale from the first size to the last."""
    net, result = load_vgg19(normalised=True, shape=(64, 64)), {}
    for size in sizes:
        (h, w), P, A, painting = cat_targets(net, size)
        noise = features(net, images.white_noise((h, w), seed=0), (*STYLE_LAYERS, "conv4_2"))
        E = {k: l2.style_layer_loss(noise[k], A[k]) for k in STYLE_LAYERS}
        content, style = l1.content_loss(noise["conv4_2"], P), sum(E.values()) / len(E)
        result[f"{w}x{h}"] = {"painting": painting, "content": content, **E, "style": style,
                              "content_over_style": content / style}
        print(f"  losses at {w}x{h} (painting {painting}): {result[f'{w}x{h}']}", flush=True)
    first, last = result[next(iter(result))], result[list(result)[-1]]
    factors = {k: first[k] / last[k] for k in STYLE_LAYERS}
    result["from_first_to_last"] = {
        "sizes": f"{list(result)[0]} -> {list(result)[-1]}",
        "content_growth": last["content"] / first["content"],
        "style_shrink": first["style"] / last["style"],
        "balance_factor": last["content_over_style"] / first["content_over_style"],
        "E_l_shrink_min": min(factors.values()), "E_l_shrink_max": max(factors.values()),
    }
    return result


def seconds_per_evaluation(sizes=(128, 256, 512), repeats: int = 3) -> dict:
    """Seconds per loss + gradient evaluation (one forward, one backward sweep) of the total loss, and the load
    average when each size was done: {'WxH': {'reference': brushstrokes paint's path (fast_style, each Gram once in
    float32), 'lessons': solutions/lesson3_paint.total_loss_grad, what a learner's code does, 'load_average'}}."""
    net, result = load_vgg19(normalised=True, shape=(64, 64)), {}
    for size in sizes:
        (h, w), P, A, _ = cat_targets(net, size)
        x = images.white_noise((h, w))
        args = (net, x, P, A, 1e-5, 1e3)
        ways = {"reference": (fast_style.total_loss_grad, ("conv4_2", None, l1, l2)),
                "lessons": (l3.total_loss_grad, ())}
        timed = {}
        for name, (evaluate, extra) in ways.items():
            # as brushstrokes paint runs each: the reference path with numpy's BLAS on one thread (threads.py)
            with threads.packaged_blas_on_one_thread() if name == "reference" else contextlib.nullcontext():
                evaluate(*args, *extra)  # warm-up
                start = time.perf_counter()
                for _ in range(repeats):
                    evaluate(*args, *extra)
            timed[name] = round((time.perf_counter() - start) / repeats, 3)
        result[f"{w}x{h}"] = {**timed, "load_average": load_now()}
        print(f"  {w}x{h}: {result[f'{w}x{h}']} s per evaluation", flush=True)
    return result


def mismatched_loss(normalised: bool, size: int = 64, iters: int = 50) -> dict:
    """L-BFGS and normalised gradient descent on the content loss alone, with the write-up's 0.5 * norm(F - P) as
    the loss but the gradient of 1/2 sum (F - P)^2, against the matching pair; on VGG's raw weights (as the
    write-up used them) or on the normalised ones. The wrong gradient is the right one times 2 ||F - P||
    (`factor_at_start`: at the starting noise); every loss is logged at the same x as the content loss beside it,
    so content = 2 * half_norm^2 holds for each pair."""
    photo = images.load_image(paths.CAT, longest=size)
    h, w = photo.shape[:2]
    net = load_vgg19(normalised=normalised, shape=(h, w))
    P = features(net, images.preprocess(photo), ("conv4_2",))["conv4_2"]
    set_input_shape(net, h, w)

    def loss_grad(x, half_norm):
        net.blobs["data"].data[...] = x
        net.forward(end="relu4_2")
        F = net.blobs["conv4_2"].data[0]
        loss = 0.5 * float(np.linalg.norm(F - P)) if half_norm else l1.content_loss(F, P)
        net.blobs["conv4_2"].diff[0] = l1.content_grad(F, P)
        net.backward(start="conv4_2")
        return loss, net.blobs["data"].diff.copy()

    x0 = images.white_noise((h, w), seed=0)
    start_half = loss_grad(x0, True)[0]
    result = {"size": f"{w}x{h}", "weights": "normalised" if normalised else "raw", "iterations": iters,
              "half_norm_at_start": start_half, "content_loss_at_start": float(loss_grad(x0, False)[0]),
              "factor_at_start": 4 * start_half}
    for half_norm in (True, False):
        fun, bounds = l3.lbfgs_objective(lambda x, hn=half_norm: loss_grad(x, hn), x0.shape)
        r = minimize(fun, x0.astype(np.float64).ravel(), jac=True, method="L-BFGS-B", bounds=bounds,
                     options={"maxiter": iters})
        key = "lbfgs_half_norm" if half_norm else "lbfgs_matching"
        result[key] = {"message": str(r.message), "iterations": int(r.nit), "evaluations": int(r.nfev),
                       "first_loss": float(fun(x0.astype(np.float64).ravel())[0]), "last_loss": float(r.fun),
                       "content_loss_at_end": float(loss_grad(r.x.reshape(x0.shape).astype(np.float32), False)[0])}
        print(f"  {result['weights']}: L-BFGS, {'0.5*norm' if half_norm else 'matching'} loss: {r.message}, "
              f"{r.nit} iterations, content loss at the end {result[key]['content_loss_at_end']:.4g}", flush=True)
    x = x0.copy()
    for _ in range(iters):
        x = l1.normalized_step(x, loss_grad(x, True)[1], 2.0)
    last_half, last_content = loss_grad(x, True)[0], float(loss_grad(x, False)[0])
    result["gd_half_norm"] = {"iterations": iters, "lr": 2.0, "first_loss": start_half, "last_loss": last_half,
                              "content_loss_at_end": last_content,
                              "content_over_twice_half_norm_squared": last_content / (2 * last_half ** 2)}
    print(f"  {result['weights']}: normalised steps, 0.5*norm loss: {start_half:.4g} -> {last_half:.4g}",
          flush=True)
    return result


def picture_numbers(picture: np.ndarray) -> dict:
    """Mean HSV saturation (0..1), and the mean and standard deviation of the luminance (0..255: brightness and
    contrast) of a picture (H, W, 3)."""
    rgb = np.asarray(picture, dtype=np.float64)
    top, bottom = rgb.max(axis=2), rgb.min(axis=2)
    saturation = np.where(top > 0, (top - bottom) / np.maximum(top, 1e-9), 0.0)
    luminance = rgb @ np.array([0.299, 0.587, 0.114])
    return {"saturation": float(saturation.mean()), "luminance_mean": float(luminance.mean()),
            "luminance_std": float(luminance.std())}


def tv_numbers(hero: Painted, tv: Painted, record: dict) -> dict:
    """The total variation of the pictures painted without and with the TV term, and what the term is of the
    loss: at the end of the run with it, and what it would have added to the run without it."""
    hero_tv, tv_tv = (float(l3.tv_loss_grad(p.x)[0]) for p in (hero, tv))
    return {"weight": TV_WEIGHT, "tv_without": hero_tv, "tv_with": tv_tv,
            "weighted_tv_at_end": TV_WEIGHT * tv_tv,
            "share_of_last_loss": TV_WEIGHT * tv_tv / record["runs"]["tv"]["last_loss"],
            "weighted_tv_without": TV_WEIGHT * hero_tv,
            "share_of_defaults_last_loss": TV_WEIGHT * hero_tv / record["runs"]["defaults"]["last_loss"],
            "reduction": hero_tv / tv_tv}


def measured_pictures(record: dict, data: dict) -> dict:
    """The record with what the shown pictures are like (saturation, brightness, contrast), measured on the kept
    pictures: the painted cat without and with total variation."""
    return {**record, "tv": {**record["tv"], "without": picture_numbers(data["hero"]),
                             "with": picture_numbers(data["tv"])}}


def run_all(size: int, iters: int, quick: bool) -> tuple[dict, dict]:
    """Every run of the figures: ({name: array} to keep, numbers.json's contents)."""
    global BASE
    BASE = PaintSettings(size=size, iters=iters, use="solutions")
    record: dict = {"settings": {"size": size, "iterations": iters, "default_ratio": DEFAULT_RATIO,
                                 "scipy": scipy.__version__},
                    "load_average_at_start": load_average(), "runs": {}}
    runs = record["runs"]
    started = time.perf_counter()
    net = load_vgg19(normalised=True, shape=(64, 64))
    print("paintings:", flush=True)
    hero = run(runs, "defaults", net)
    sweep = {r: (hero if r == DEFAULT_RATIO else run(runs, ratio_name(r), net, ratio=r)) for r in RATIOS}
    done = {"content_conv2_2": run(runs, "content_conv2_2", net, content_layer="conv2_2"),
            "init_content": run(runs, "init_content", net, init="content"),
            "init_style": run(runs, "init_style", net, init="style"),
            "tv": run(runs, "tv", net, tv_weight=TV_WEIGHT),
            "half_scale": run(runs, "style_scale_half", net, style_scale=0.5)}
    gd = run(runs, "gd", net, optimizer="gd")
    run(runs, "beta_1", net, style_weight=1.0)
    record["tv"] = tv_numbers(hero, done["tv"], record)
    loads = [r["load_average"] for r in runs.values() if r["load_average"] is not None]
    record["runs_load_average"] = {"min": min(loads, default=0.0), "max": max(loads, default=0.0)}
    print("numbers:", flush=True)
    record["demo"] = timed_command("paint", "data/chelsea.png", "data/scream.jpg", *(("--iters", "3") if quick else ()))
    record["loss_scales"] = loss_scales()
    record["seconds_per_evaluation"] = seconds_per_evaluation()
    record["mismatched_loss"] = {"raw": mismatched_loss(False, iters=10 if quick else 50),
                                 "normalised": mismatched_loss(True, iters=10 if quick else 50)}
    record["seconds_total"] = round(time.perf_counter() - started)
    record["load_average_at_end"] = load_average()
    h, w = hero.photo.shape[:2]
    arrays = {"photo": hero.photo, "scream": images.load_image(paths.SCREAM, longest=max(w, h)),
              "hero": hero.picture, "losses_hero": np.asarray(hero.losses), "losses_gd": np.asarray(gd.losses),
              **{f"ratio_{r:g}": sweep[r].picture for r in RATIOS},
              **{name: painted.picture for name, painted in done.items()}}
    return arrays, record


def render(out: Path, data: dict, record: dict) -> list[Path]:
    """Every file of the docs folder, the figures with text in English and in Chinese; the smallest label of each
    into labels.json."""
    record = measured_pictures(record, data)
    iters, ratio = record["settings"]["iterations"], f"alpha/beta = {DEFAULT_RATIO:g}"
    h, w = data["photo"].shape[:2]
    sizes: dict[str, float] = {}
    with outputs.OutputSet(out) as files:
        save_picture(data["hero"], files.path("cat_scream.png"))
        save_picture(data["half_scale"], files.path(HALF_SCALE))
        for lang in ("en", "zh"):
            zh = lang == "zh"

            def grid(panels, name, columns, title="", lang=lang):
                localised = plotting.localised(name, lang)
                return picture_grid(panels, files.path(localised), sizes, localised, columns, title)

            sep = "，" if zh else ", "  # between the parts of a title
            setting = f"{w}x{h} 像素{sep}{iters} 次迭代" if zh else f"{w}x{h} px, {iters} iterations"
            with plotting.figure_language(lang):
                grid([(f"alpha/beta = {r:g}", data[f"ratio_{r:g}"]) for r in RATIOS], "ratio_sweep.png", 2,
                     "alpha/beta 越小，画的成分越多" if zh else "smaller alpha/beta: more painting")
                grid([("内容取自 conv2_2" if zh else "content at conv2_2", data["content_conv2_2"]),
                      ("内容取自 conv4_2" if zh else "content at conv4_2", data["hero"])],
                     "content_layer.png", 2, f"{ratio}{sep}{setting}")
                names = (("从白噪声出发", "从照片出发", "从画出发", "原画") if zh else
                         ("from white noise", "from the photo", "from the painting", "the painting"))
                grid(list(zip(names, [data[k] for k in ("hero", "init_content", "init_style", "scream")],
                              strict=True)), "init.png", 2, f"{ratio}{sep}{setting}")
                name = plotting.localised("optimisers.png", lang)
                loss_plot([("L-BFGS（论文所用）" if zh else "L-BFGS (the paper's)", list(data["losses_hero"])),
                           ("归一化梯度下降" if zh else "normalised gradient descent", list(data["losses_gd"]))],
                          files.path(name), sizes, name, title=f"{ratio}{sep}{w}x{h} px",
                          xlabel="迭代次数" if zh else "iteration", ylabel="总损失" if zh else "total loss")
                grid([("不加 TV（论文的做法）" if zh else "no TV (the paper's)", data["hero"]),
                      (f"--tv-weight {TV_WEIGHT:g}", data["tv"])], "tv.png", 2, f"{ratio}{sep}{setting}")
                kept = l3.keep_colours(data["hero"].astype(np.float32), data["photo"])
                grid([("原照片" if zh else "the photo", data["photo"]), ("作画结果" if zh else "painted", data["hero"]),
                      ("--original-colors", kept)], "colours.png", 3, f"{ratio}{sep}{setting}")
        outputs.write_text(files.path("numbers.json"), json.dumps(record, indent=2) + "\n")
    record_labels(out, sizes)
    return files.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--iters", type=int, default=DEFAULT_ITERS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--quick", action="store_true", help="3 iterations per run, to try the script")
    parser.add_argument("--render-only", action="store_true",
                        help="draw the figures from the kept results (--data), without running the network")
    parser.add_argument("--data", type=Path, default=DATA, help="where the runs' results are kept "
                                                                "(default output/figure-data/lesson3.npz)")
    args = parser.parse_args(argv)
    out = outputs.prepare_folder(args.out)
    data, record = kept_runs(args.data, args.render_only,
                             lambda: run_all(args.size, 3 if args.quick else args.iters, args.quick))
    written = render(out, data, record)
    print(f"wrote {len(written)} files to {out} (the runs took {record['seconds_total']} s)")
    return 0


BASE = PaintSettings()

if __name__ == "__main__":
    sys.exit(main())
