"""Lesson 4's classic mistakes, made from solutions/lesson4_control.py (the format: tools/dev/mutants/catalogue.py).

expect is the note the score table must show for the exercise: the checks name the mistake.
"""

from __future__ import annotations

from tools.dev.mutants.catalogue import Classic

LUMINANCE = "return (s - s.mean()) * (content_y.std() / s.std()) + content_y.mean()"
S_LINE = "s = style.reshape(-1, 3).astype(np.float64)"
C_LINE = "c = content.reshape(-1, 3).astype(np.float64)"
ROOT_C = "root_c, _ = sqrt_and_inverse(np.cov(c, rowvar=False))"
ROOT_S = "_, inverse_root_s = sqrt_and_inverse(np.cov(s, rowvar=False))"
MATCHED = "matched = (s - s.mean(axis=0)) @ (root_c @ inverse_root_s).T + c.mean(axis=0)"
CLIPPED = "return np.clip(matched, 0, 255).reshape(style.shape).astype(np.float32)"
PER_CHANNEL_SORT = ("matched = np.stack([np.interp(np.argsort(np.argsort(s[:, k])) / (len(s) - 1), "
                    "np.linspace(0, 1, len(c)), np.sort(c[:, k])) for k in range(3)], axis=1)")
ZOOM = 'return zoom(x.astype(np.float32), factors, order=1, grid_mode=True, mode="nearest")'
FACTORS = "factors = (1, 1, shape[0] / x.shape[2], shape[1] / x.shape[3])"
UPSAMPLE_IF = "        if x.shape[2:] != tuple(shape):\n            x = upsample(x, shape)\n"
APPEND = "        results.append(paint_at(shape, x))\n        x = results[-1].x\n"
BOX = 'Image.fromarray(T.astype(np.float32), mode="F").resize((shape[1], shape[0]), Image.Resampling.BOX)'
MASK_RETURN = "return np.clip(np.asarray(small, dtype=np.float64), 0, 1)"
MASKED = "flat = (F.astype(np.float64) * T).reshape(F.shape[0], -1)"
LOSS = "loss += w * style_layer_loss(F * T, A)"
GRAD = "grad += w * style_layer_grad(F * T, A) * T"
MIX = "return {layer: (fine if layer in fine_layers else coarse)[layer] for layer in coarse}"

CATALOGUE = (
    # 4.1 match_luminance
    Classic("4.1", "mean and std swapped", ((LUMINANCE, "return (s - s.mean()) * (content_y.mean() / s.std()) "
                                                        "+ content_y.std()"),), "mean and std swapped"),
    Classic("4.1", "variance", ((LUMINANCE, "return (s - s.mean()) * (content_y.var() / s.var()) "
                                            "+ content_y.mean()"),), "variance instead of standard deviation"),
    Classic("4.1", "ratio inverted", ((LUMINANCE, "return (s - s.mean()) * (s.std() / content_y.std()) "
                                                  "+ content_y.mean()"),), "the ratio of the spreads inverted"),
    Classic("4.1", "only the mean", ((LUMINANCE, "return s - s.mean() + content_y.mean()"),),
            "only the mean matched"),
    Classic("4.1", "scaled around 0", ((LUMINANCE, "return s * (content_y.std() / s.std()) + content_y.mean()"),),
            "scaled around 0, not around the mean"),
    Classic("4.1", "the photo matched", ((LUMINANCE, "c = content_y.astype(np.float64)\n"
                                                     "    return (c - c.mean()) * (s.std() / c.std()) + s.mean()"),),
            "the photo matched to the painting"),
    Classic("4.1", "a float", ((LUMINANCE, "return float(content_y.mean())"),), "wrong type"),
    # 4.2 match_colours
    Classic("4.2", "only the mean", ((MATCHED, "matched = s - s.mean(axis=0) + c.mean(axis=0)"),),
            "only the mean matched"),
    Classic("4.2", "per-channel std", ((MATCHED, "matched = (s - s.mean(axis=0)) * (c.std(axis=0) / s.std(axis=0)) "
                                                 "+ c.mean(axis=0)"),),
            "each channel's spread alone, not the covariance"),
    Classic("4.2", "map inverted", ((ROOT_C, "_, root_c = sqrt_and_inverse(np.cov(c, rowvar=False))"),
                                    (ROOT_S, "inverse_root_s, _ = sqrt_and_inverse(np.cov(s, rowvar=False))")),
            "the map inverted"),
    Classic("4.2", "covariances, not roots", ((ROOT_C, "root_c = np.cov(c, rowvar=False)"),
                                              (ROOT_S, "inverse_root_s = np.linalg.inv(np.cov(s, rowvar=False))")),
            "covariances instead of their square roots"),
    Classic("4.2", "A transposed", ((MATCHED, MATCHED.replace(".T + c", " + c")),), "A applied as its transpose"),
    Classic("4.2", "the painting's mean kept", ((MATCHED, MATCHED.replace("+ c.mean", "+ s.mean")),),
            "the painting's mean kept"),
    Classic("4.2", "pictures swapped", ((S_LINE, "s = content.reshape(-1, 3).astype(np.float64)"),
                                        (C_LINE, "c = style.reshape(-1, 3).astype(np.float64)"),
                                        (CLIPPED, CLIPPED.replace("style.shape", "content.shape"))),
            "the photo's colours moved to the painting's"),
    Classic("4.2", "not clipped", ((CLIPPED, "return matched.reshape(style.shape).astype(np.float32)"),),
            "not clipped to 0..255"),
    Classic("4.2", "per-channel histogram matching", ((MATCHED, PER_CHANNEL_SORT),),
            "not one linear map of the painting's colours"),
    # 4.3 upsample
    Classic("4.3", "zoom's default cubic", ((ZOOM, ZOOM.replace("order=1, ", "")),),
            "values outside the image's range"),
    Classic("4.3", "nearest", ((ZOOM, ZOOM.replace("order=1", "order=0")),), "nearest neighbour instead of bilinear"),
    Classic("4.3", "corners aligned", ((ZOOM, ZOOM.replace("grid_mode=True", "grid_mode=False")),),
            "corners aligned instead of pixel centres"),
    Classic("4.3", "zeros past the edges", ((ZOOM, ZOOM.replace('"nearest"', '"grid-constant"')),),
            "zeros past the edges"),
    Classic("4.3", "(H, W) swapped", ((FACTORS, "factors = (1, 1, shape[1] / x.shape[2], shape[0] / x.shape[3])"),),
            "(H, W) read as (W, H)"),
    Classic("4.3", "float64", ((ZOOM, ZOOM.replace("np.float32", "np.float64")),), "wrong dtype"),
    # 4.4 coarse_to_fine
    Classic("4.4", "not upsampled", ((UPSAMPLE_IF, ""),), "the start not upsampled"),
    Classic("4.4", "x0 at every scale", ((APPEND, APPEND.replace("x = results[-1].x", "x = x0")),),
            "not started from the previous result"),
    Classic("4.4", "the previous start", ((APPEND, APPEND.replace("        x = results[-1].x\n", "")),),
            "not started from the previous result"),
    Classic("4.4", "noise at every scale", ((APPEND, APPEND.replace(
        "x = results[-1].x", "x = np.random.default_rng(0).standard_normal(results[-1].x.shape).astype(np.float32)"
        " * 50")),), "a new start at every scale"),
    Classic("4.4", "largest first", (("    for shape in shapes:\n", "    for shape in reversed(shapes):\n"),),
            "the sizes in the wrong order"),
    Classic("4.4", "the last result only", (("    return results\n", "    return results[-1]\n"),),
            "wrong return value"),
    Classic("4.4", "the starts returned", ((APPEND, "        painted = paint_at(shape, x)\n"
                                                   "        results.append(painted._replace(x=x))\n"
                                                   "        x = painted.x\n"),), "the results are not paint_at's"),
    # 4.5 mask_at
    Classic("4.5", "(h, w) swapped", ((BOX, BOX.replace("(shape[1], shape[0])", "(shape[0], shape[1])")),),
            "(H, W) read as (W, H)"),
    Classic("4.5", "nearest", ((BOX, BOX.replace("BOX", "NEAREST")),), "pixels picked, not averaged"),
    Classic("4.5", "every other pixel", ((MASK_RETURN, "return T[::2, ::2].astype(np.float64)"),),
            "pixels picked, not averaged"),
    Classic("4.5", "bilinear", ((BOX, BOX.replace("BOX", "BILINEAR")),), "a bilinear filter, not the area average"),
    Classic("4.5", "Lanczos, not clipped", ((BOX, BOX.replace("BOX", "LANCZOS")),
                                            (MASK_RETURN, "return np.asarray(small, dtype=np.float64)")),
            "values outside 0..1"),
    # 4.6 guided_gram
    Classic("4.6", "mask twice", ((MASKED, MASKED.replace("* T)", "* T**2)")),), "the mask applied twice"),
    Classic("4.6", "no mask", ((MASKED, MASKED.replace(" * T)", ")")),), "the mask left out"),
    Classic("4.6", "mask transposed", ((MASKED, MASKED.replace("* T)", "* T.T)")),), "the mask transposed"),
    Classic("4.6", "divided by the area", (("return flat @ flat.T", "return flat @ flat.T / T.sum()"),),
            "normalised by the region's area"),
    # 4.7 guided_style_loss
    Classic("4.7", "no mask factor", ((GRAD, GRAD.replace("A) * T", "A)")),),
            "the gradient without the mask factor"),
    Classic("4.7", "regions averaged", ((LOSS, LOSS + " / len(masks[layer])"), (GRAD, GRAD + " / len(masks[layer])")),
            "the regions averaged, not summed"),
    Classic("4.7", "weights ignored", ((LOSS, LOSS.replace("w * ", "")), (GRAD, GRAD.replace("w * ", ""))),
            "the layer weights ignored"),
    Classic("4.7", "features not masked", ((LOSS, LOSS.replace("F * T", "F")), (GRAD, GRAD.replace("F * T", "F"))),
            "the features not masked"),
    Classic("4.7", "last region only", ((GRAD, GRAD.replace("grad +=", "grad =")),),
            "only the last region's gradient kept"),
    Classic("4.7", "the loss alone", (("    return loss, grads\n", "    return loss\n"),), "wrong return value"),
    # 4.8 mix_scales
    Classic("4.8", "fine and coarse swapped", ((MIX, MIX.replace("(fine if", "(coarse if").replace("else coarse)",
                                                                                                   "else fine)")),),
            "fine and coarse swapped"),
    Classic("4.8", "the fine layers only", ((MIX, "return {layer: fine[layer] for layer in fine_layers}"),),
            "only the fine layers returned"),
    Classic("4.8", "a list", ((MIX, MIX.replace("{layer: (", "[(").replace("coarse}", "coarse]")),),
            "wrong return value"),
    Classic("4.8", "coarse changed in place", ((MIX, "coarse.update({layer: fine[layer] for layer in fine_layers})\n"
                                                     "    return coarse"),), "changes its input in place"),
)

QUICK = ("4.1 variance", "4.2 per-channel std", "4.4 x0 at every scale", "4.6 mask twice", "4.7 no mask factor")
