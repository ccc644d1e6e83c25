"""Lesson 3's figures and numbers for the docs, made with solutions/ on the real (normalised) VGG19.

Usage: nice -n 10 .venv/bin/python tools/figures/lesson3.py [--size 128] [--iters N] [--out DIR]
                                                             [--quick | --render-only]

Writes to docs/assets/figures/lesson3/ (15 minutes on 2 busy CPU cores; --quick: a few iterations, to try it):
    cat_scream.png        the cat painted in the style of The Scream with `brushstrokes paint`'s defaults
    ratio_sweep.png       alpha/beta from 1e-4 to 1e-6 (as in the paper's figure 3)
    content_layer.png     content at conv2_2 vs conv4_2
    init.png              starting from white noise, the photo, the painting
    optimisers.png        loss per iteration: L-BFGS vs lesson 1's normalised gradient descent
    tv.png                without and with the total-variation loss
    colours.png           the painted cat, and with the photo's colours kept
    numbers.json          every run's settings and seconds; content and style losses at 128/256/512 px; seconds per
                          L-BFGS evaluation at 128/256/512 px; the L-BFGS run with the write-up's mismatched loss
The figures with text come in English (x.png) and Chinese (x.zh.png). The runs' results are kept in
output/figure-data/lesson3.npz; --render-only draws the figures again from it, without running the network.
Every file is written whole or not at all, together at the end (brushstrokes.outputs.OutputSet).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from brushstrokes import images, outputs, paths, plotting  # noqa: E402
from brushstrokes.painting import DEFAULT_ITERS, DEFAULT_RATIO, Painted, PaintSettings, paint_picture  # noqa: E402
from brushstrokes.vgg import STYLE_LAYERS, features, load_vgg19, set_input_shape  # noqa: E402
from solutions import lesson1_content as l1  # noqa: E402
from solutions import lesson2_style as l2  # noqa: E402
from solutions import lesson3_paint as l3  # noqa: E402

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson3"
DATA = paths.ROOT / "output" / "figure-data" / "lesson3.npz"
RATIOS = (1e-4, 1e-5, 3e-6, 1e-6)


def grid(panels: list[tuple[str, np.ndarray]], path: Path, columns: int | None = None, title: str = "") -> None:
    """Pictures (H, W, 3) side by side with their titles."""
    columns = columns or len(panels)
    rows = (len(panels) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(2.6 * columns, 2.0 * rows + (0.3 if title else 0)), dpi=130,
                             squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (name, picture) in zip(axes.ravel(), panels, strict=False):
        ax.imshow(np.clip(np.asarray(picture), 0, 255).astype(np.uint8))
        ax.set_title(name, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def save_picture(picture: np.ndarray, path: Path, scale: int = 3) -> None:
    """The picture enlarged `scale` times (nearest neighbour: every pixel stays visible)."""
    big = np.repeat(np.repeat(np.asarray(picture, dtype=np.uint8), scale, axis=0), scale, axis=1)
    images.save_image(path, big)


def run(record: dict, name: str, net, **changes) -> Painted:
    s = dataclasses.replace(BASE, **changes)
    print(f"  {name}: {', '.join(f'{k}={v}' for k, v in changes.items()) or 'the defaults'}", flush=True)
    done = paint_picture(s, net=net, quiet=True)
    record[name] = {"ratio": done.alpha / done.beta, "alpha": done.alpha, "beta": done.beta, "size": s.size,
                    "iterations": len(done.losses) - 1, "init": s.init, "optimizer": s.optimizer,
                    "content_layer": s.content_layer, "tv_weight": s.tv_weight, "seconds": round(done.seconds, 1),
                    "first_loss": done.losses[0], "last_loss": done.losses[-1]}
    print(f"    {len(done.losses) - 1} iterations, {done.seconds:.0f} s, loss {done.losses[0]:.4g} -> "
          f"{done.losses[-1]:.4g}", flush=True)
    return done


def loss_scales(sizes=(128, 256, 512)) -> dict:
    """Content loss (noise vs the cat) and each E_l (noise vs The Scream) at several sizes, normalised net."""
    net, result = load_vgg19(normalised=True, shape=(64, 64)), {}
    for size in sizes:
        photo = images.load_image(paths.CAT, longest=size)
        h, w = photo.shape[:2]
        set_input_shape(net, h, w)
        P = features(net, images.preprocess(photo), ("conv4_2",))["conv4_2"]
        scream = images.preprocess(images.load_image(paths.SCREAM, longest=size))
        A = {k: l2.gram(F) for k, F in features(net, scream, STYLE_LAYERS).items()}
        noise = features(net, images.white_noise((h, w), seed=0), (*STYLE_LAYERS, "conv4_2"))
        result[f"{w}x{h}"] = {"content": l1.content_loss(noise["conv4_2"], P),
                              **{k: l2.style_layer_loss(noise[k], A[k]) for k in STYLE_LAYERS}}
        print(f"  losses at {w}x{h}: {result[f'{w}x{h}']}", flush=True)
    return result


def seconds_per_evaluation(sizes=(128, 256, 512), repeats: int = 3) -> dict:
    """Seconds per loss + gradient evaluation (one forward, one backward sweep) of the total loss."""
    net, result = load_vgg19(normalised=True, shape=(64, 64)), {}
    for size in sizes:
        photo = images.load_image(paths.CAT, longest=size)
        h, w = photo.shape[:2]
        set_input_shape(net, h, w)
        P = features(net, images.preprocess(photo), ("conv4_2",))["conv4_2"]
        A = {k: l2.gram(F) for k, F in features(net, images.preprocess(images.load_image(paths.SCREAM, size=(h, w))),
                                                    STYLE_LAYERS).items()}
        set_input_shape(net, h, w)
        x = images.white_noise((h, w))
        l3.total_loss_grad(net, x, P, A, 1e-5, 1e3)  # warm-up
        start = time.perf_counter()
        for _ in range(repeats):
            l3.total_loss_grad(net, x, P, A, 1e-5, 1e3)
        result[f"{w}x{h}"] = round((time.perf_counter() - start) / repeats, 3)
        print(f"  {w}x{h}: {result[f'{w}x{h}']} s per evaluation", flush=True)
    return result


def mismatched_loss(size: int = 64, iters: int = 50) -> dict:
    """L-BFGS and normalised gradient descent on the content loss alone, with the write-up's 0.5 * norm(F - P) as
    the loss but the gradient of 1/2 sum (F - P)^2, against the matching pair; on VGG's raw weights, as the
    write-up used them (on the normalised net ||F - P|| is far smaller, and L-BFGS copes with the mismatch)."""
    photo = images.load_image(paths.CAT, longest=size)
    h, w = photo.shape[:2]
    net = load_vgg19(normalised=False, shape=(h, w))
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
    result = {"size": f"{w}x{h}"}
    for half_norm in (True, False):
        fun, bounds = l3.lbfgs_objective(lambda x, hn=half_norm: loss_grad(x, hn), x0.shape)
        r = minimize(fun, x0.astype(np.float64).ravel(), jac=True, method="L-BFGS-B", bounds=bounds,
                     options={"maxiter": iters})
        key = "lbfgs_half_norm" if half_norm else "lbfgs_matching"
        result[key] = {"message": str(r.message), "iterations": int(r.nit), "evaluations": int(r.nfev),
                       "first_loss": float(fun(x0.astype(np.float64).ravel())[0]), "last_loss": float(r.fun),
                       "content_loss_at_end": float(loss_grad(r.x.reshape(x0.shape).astype(np.float32), False)[0])}
        print(f"  L-BFGS, {'0.5*norm' if half_norm else 'matching'} loss: {r.message}, {r.nit} iterations", flush=True)
    x, losses = x0.copy(), []
    for _ in range(iters):
        loss, grad = loss_grad(x, True)
        losses.append(loss)
        x = l1.normalized_step(x, grad, 2.0)
    result["gd_half_norm"] = {"iterations": iters, "first_loss": losses[0], "last_loss": losses[-1],
                              "content_loss_at_end": float(loss_grad(x, False)[0])}
    print(f"  normalised steps, 0.5*norm loss: {losses[0]:.4g} -> {losses[-1]:.4g}", flush=True)
    return result


def run_all(size: int, iters: int, quick: bool) -> tuple[dict, dict]:
    """Every run of the figures: ({name: array} to keep, numbers.json's contents)."""
    global BASE
    BASE = PaintSettings(size=size, iters=iters, use="solutions")
    record: dict = {"settings": {"size": size, "iterations": iters, "default_ratio": DEFAULT_RATIO}, "runs": {}}
    runs = record["runs"]
    started = time.perf_counter()
    net = load_vgg19(normalised=True, shape=(64, 64))
    print("paintings:", flush=True)
    hero = run(runs, "defaults", net)
    sweep = {r: (hero if r == DEFAULT_RATIO else run(runs, f"ratio {r:g}", net, ratio=r)) for r in RATIOS}
    done = {"content_conv2_2": run(runs, "content conv2_2", net, content_layer="conv2_2"),
            "init_content": run(runs, "init content", net, init="content"),
            "init_style": run(runs, "init style", net, init="style"),
            "tv": run(runs, "tv 5e-6", net, tv_weight=5e-6)}
    gd = run(runs, "optimizer gd", net, optimizer="gd")
    print("numbers:", flush=True)
    record["loss_scales"] = loss_scales()
    record["seconds_per_evaluation"] = seconds_per_evaluation()
    record["mismatched_loss"] = mismatched_loss(iters=10 if quick else 50)
    record["seconds_total"] = round(time.perf_counter() - started)
    h, w = hero.photo.shape[:2]
    arrays = {"photo": hero.photo, "scream": images.load_image(paths.SCREAM, longest=max(w, h)),
              "hero": hero.picture, "losses_hero": np.asarray(hero.losses), "losses_gd": np.asarray(gd.losses),
              **{f"ratio_{r:g}": sweep[r].picture for r in RATIOS},
              **{name: painted.picture for name, painted in done.items()}}
    return arrays, record


def render(out: Path, data: dict, record: dict) -> list[Path]:
    """Every file of the docs folder, the figures with text in English and in Chinese."""
    h, w = data["photo"].shape[:2]
    iters, ratio = record["settings"]["iterations"], f"alpha/beta = {DEFAULT_RATIO:g}"
    with outputs.OutputSet(out) as files:
        save_picture(data["hero"], files.path("cat_scream.png"))
        for lang in ("en", "zh"):
            zh = lang == "zh"

            def path(name: str, lang: str = lang) -> Path:
                return files.path(plotting.localised(name, lang))

            sep = "，" if zh else ", "  # between the parts of a title
            size = f"{w}x{h} 像素，{iters} 次 L-BFGS 迭代" if zh else f"{w}x{h} px, {iters} L-BFGS iterations"
            setting = f"{size}，从白噪声出发，归一化 VGG19" if zh else f"{size}, noise init, normalised VGG19"
            with plotting.figure_language(lang):
                grid([(f"alpha/beta = {r:g}", data[f"ratio_{r:g}"]) for r in RATIOS], path("ratio_sweep.png"),
                     title=f"越往右越像画（{setting}）" if zh else f"more painting to the right ({setting})")
                grid([("内容取自 conv2_2" if zh else "content at conv2_2", data["content_conv2_2"]),
                      ("内容取自 conv4_2" if zh else "content at conv4_2", data["hero"])],
                     path("content_layer.png"), title=f"{ratio}{sep}{setting}")
                names = (("从白噪声出发", "从照片出发", "从画出发", "原画") if zh else
                         ("from white noise", "from the photo", "from the painting", "the painting"))
                grid(list(zip(names, [data[k] for k in ("hero", "init_content", "init_style", "scream")],
                              strict=True)),
                     path("init.png"), title=f"{ratio}{sep}{size}")
                fig, ax = plt.subplots(figsize=(5.5, 3.3), dpi=130)
                ax.semilogy(data["losses_hero"], label="L-BFGS（论文所用）" if zh else "L-BFGS (the paper's)")
                ax.semilogy(data["losses_gd"], label="归一化梯度下降，每步 1 个灰度级" if zh else
                            "normalised gradient descent, 1 grey level per step")
                ax.set(xlabel="迭代次数" if zh else "iteration", ylabel="总损失" if zh else "total loss",
                       title=f"{ratio}{sep}{setting}")
                ax.title.set_fontsize(8)
                ax.grid(True, which="both", alpha=0.3)
                ax.legend(fontsize=8)
                fig.tight_layout()
                fig.savefig(path("optimisers.png"))
                plt.close(fig)
                grid([("不加 TV（论文的做法）" if zh else "no TV (the paper's)", data["hero"]),
                      ("--tv-weight 5e-6", data["tv"])], path("tv.png"),
                     title=f"{ratio}{sep}{setting}")
                kept = l3.keep_colours(data["hero"].astype(np.float32), data["photo"])
                grid([("原照片" if zh else "the photo", data["photo"]), ("作画结果" if zh else "painted", data["hero"]),
                      ("--original-colors", kept)], path("colours.png"),
                     title=f"{ratio}{sep}{setting}")
        outputs.write_text(files.path("numbers.json"), json.dumps(record, indent=2) + "\n")
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
    if not args.render_only:
        arrays, record = run_all(args.size, 3 if args.quick else args.iters, args.quick)
        with outputs.atomic_path(args.data) as tmp:
            np.savez_compressed(tmp, numbers=np.array(json.dumps(record)), **arrays)
        print(f"kept the runs' results in {args.data}")
    with np.load(args.data) as kept:
        data = {k: kept[k] for k in kept.files}
    record = json.loads(str(data.pop("numbers")))
    written = render(out, data, record)
    print(f"wrote {len(written)} files to {out} (the runs took {record['seconds_total']} s)")
    return 0


BASE = PaintSettings()

if __name__ == "__main__":
    sys.exit(main())
