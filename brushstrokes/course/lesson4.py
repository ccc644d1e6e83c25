"""Lesson 4 · Control: the exercises of lessons/lesson4_control.py (colour, scale and space, Gatys et al. 2017)."""

from __future__ import annotations

from brushstrokes.base.i18n import Text
from brushstrokes.course.model import Exercise, Lesson

LESSON = Lesson(
    number="4",
    title=Text("Control", "控制"),
    module="lesson4_control",
    run="brushstrokes paint data/chelsea.png data/scream.jpg --use lessons --colour luminance --scales 128,256",
    page="lesson4.md",
    command="paint",
    loop="4.4",
    done=Text("all of lesson 4 passes: paint the cat with your own controls, "
              "`brushstrokes paint data/chelsea.png data/scream.jpg --use lessons --colour luminance "
              "--scales 128,256`.",
              "第 4 课全部通过：用你自己写的控制给猫作画："
              "`brushstrokes paint data/chelsea.png data/scream.jpg --use lessons --colour luminance "
              "--scales 128,256`。"),
    exercises=(
        Exercise("4.1", "match_luminance", Text("The painting's luminance, matched to the photo",
                                                "让画的亮度与照片匹配"), 10,
                 called_by=("paint",), option="--colour", hints=(
            Text("Shift and scale the painting's luminance so that its mean and its standard deviation become the "
                 "photo's; the result keeps the painting's shape.",
                 "平移并缩放画的亮度，使它的均值和标准差变成照片的；结果保持画的形状。"),
            Text("Standardise the painting (subtract its mean, divide by its std), then multiply by the photo's std "
                 "and add the photo's mean: std, not variance (np.std, not np.var).",
                 "先把画标准化（减去它的均值，除以它的标准差），再乘以照片的标准差、加上照片的均值："
                 "用标准差而不是方差（np.std，不是 np.var）。"),
            Text("`s = style_y.astype(np.float64)`; "
                 "`return (s - s.mean()) * (content_y.std() / s.std()) + content_y.mean()`",
                 "`s = style_y.astype(np.float64)`；"
                 "`return (s - s.mean()) * (content_y.std() / s.std()) + content_y.mean()`"),
        )),
        Exercise("4.2", "match_colours", Text("The painting's colours, matched to the photo", "让画的颜色与照片匹配"),
                 20, called_by=("paint",), option="--colour", hints=(
            Text("Treat every pixel as a point in RGB space: x' = A (x - mu_s) + mu_c, with A such that "
                 "A Sigma_s A^T = Sigma_c (the means and 3 x 3 covariances of the painting and the photo).",
                 "把每个像素看作 RGB 空间里的一个点：x' = A (x - mu_s) + mu_c，A 满足 A Sigma_s A^T = Sigma_c"
                 "（画和照片的均值和 3 x 3 协方差）。"),
            Text("pixels = picture.reshape(-1, 3); np.cov(pixels, rowvar=False) is Sigma. Symmetric square roots "
                 "from np.linalg.eigh: Sigma^(1/2) = V diag(sqrt(l)) V^T; A = Sigma_c^(1/2) Sigma_s^(-1/2). Clip to "
                 "0..255 at the end.",
                 "pixels = picture.reshape(-1, 3)；np.cov(pixels, rowvar=False) 就是 Sigma。用 np.linalg.eigh "
                 "求对称平方根：Sigma^(1/2) = V diag(sqrt(l)) V^T；A = Sigma_c^(1/2) Sigma_s^(-1/2)。"
                 "最后裁剪到 0..255。"),
            Text("`l, V = np.linalg.eigh(cov_s)`; `l = np.maximum(l, 1e-8)` (a grey painting's covariance is "
                 "singular); `inv_root_s = (V / np.sqrt(l)) @ V.T`; likewise `root_c = "
                 "(V * np.sqrt(l)) @ V.T` for cov_c; `out = (s - s.mean(0)) @ (root_c @ inv_root_s).T + c.mean(0)`; "
                 "`np.clip(out, 0, 255).reshape(style.shape).astype(np.float32)`",
                 "`l, V = np.linalg.eigh(cov_s)`；`l = np.maximum(l, 1e-8)`（灰色画的协方差是奇异的）；"
                 "`inv_root_s = (V / np.sqrt(l)) @ V.T`；对 cov_c 同样求 `root_c = "
                 "(V * np.sqrt(l)) @ V.T`；`out = (s - s.mean(0)) @ (root_c @ inv_root_s).T + c.mean(0)`；"
                 "`np.clip(out, 0, 255).reshape(style.shape).astype(np.float32)`"),
        )),
        Exercise("4.3", "upsample", Text("Upsampling an image", "放大图像"), 10,
                 called_by=("paint",), option="--scales", hints=(
            Text("Bilinear interpolation of each channel from (h, w) to shape = (H, W), pixel centres aligned "
                 "(half-pixel), edges repeated; float32 like every Caffe blob.",
                 "对每个通道做双线性插值，从 (h, w) 到 shape = (H, W)，像素中心对齐（半像素），边缘重复；"
                 "和所有 Caffe blob 一样用 float32。"),
            Text("scipy.ndimage.zoom(x, (1, 1, H / h, W / w), order=1, grid_mode=True, mode=\"nearest\") does it; "
                 "so does PIL's resize((W, H), BILINEAR) per channel in mode \"F\" (PIL's size is (W, H)).",
                 "scipy.ndimage.zoom(x, (1, 1, H / h, W / w), order=1, grid_mode=True, mode=\"nearest\") 可以做到；"
                 "逐通道用 mode \"F\" 的 PIL resize((W, H), BILINEAR) 也可以（PIL 的尺寸是 (W, H)）。"),
            Text("`factors = (1, 1, shape[0] / x.shape[2], shape[1] / x.shape[3])`; "
                 "`return zoom(x.astype(np.float32), factors, order=1, grid_mode=True, mode=\"nearest\")`",
                 "`factors = (1, 1, shape[0] / x.shape[2], shape[1] / x.shape[3])`；"
                 "`return zoom(x.astype(np.float32), factors, order=1, grid_mode=True, mode=\"nearest\")`"),
        )),
        Exercise("4.4", "coarse_to_fine", Text("From coarse to fine", "由粗到细"), 15, uses=("4.3",),
                 called_by=("paint",), option="--scales", hints=(
            Text("Paint at the first shape from x0, then at each next shape start from the previous painting, "
                 "upsampled to that shape; keep every scale's result.",
                 "先从 x0 在第一个尺寸上作画，之后每个尺寸都从上一幅结果出发，先放大到该尺寸；保留每个尺度的结果。"),
            Text("paint_at(shape, start) returns a Reconstruction: its .x is the next start. Upsample only when the "
                 "start's (H, W), x.shape[2:], differs from the shape.",
                 "paint_at(shape, start) 返回 Reconstruction：它的 .x 就是下一个起点。只有当起点的 (H, W)，"
                 "即 x.shape[2:]，与该尺寸不同时才放大。"),
            Text("`results, x = [], x0`; `for shape in shapes:` `if x.shape[2:] != tuple(shape): x = upsample(x, "
                 "shape)`; `results.append(paint_at(shape, x))`; `x = results[-1].x`; then `return results`",
                 "`results, x = [], x0`；`for shape in shapes:` `if x.shape[2:] != tuple(shape): x = upsample(x, "
                 "shape)`；`results.append(paint_at(shape, x))`；`x = results[-1].x`；最后 `return results`"),
        )),
        Exercise("4.5", "mask_at", Text("A region mask at a layer's size", "把区域掩码缩到某层的大小"), 10,
                 called_by=("paint",), option="--content-mask", hints=(
            Text("Each pixel of the small mask is the average of the pixels of T that it covers, so a pixel on a "
                 "region's border gets a value between 0 and 1.",
                 "小掩码的每个像素是它覆盖的 T 中像素的平均值，所以区域边界上的像素取 0 和 1 之间的值。"),
            Text("PIL's BOX filter averages exactly that, for any ratio: Image.fromarray(T as float32, mode=\"F\"), "
                 "resized to (w, h) (PIL's size is (width, height)); not NEAREST, not T[::2, ::2].",
                 "PIL 的 BOX 滤波正好求这个平均，任何比例都行：Image.fromarray(T 转成 float32, mode=\"F\")，"
                 "缩放到 (w, h)（PIL 的尺寸是 (宽, 高)）；不要用 NEAREST，也不要 T[::2, ::2]。"),
            Text("`small = Image.fromarray(T.astype(np.float32), mode=\"F\").resize((shape[1], shape[0]), "
                 "Image.Resampling.BOX)`; `return np.clip(np.asarray(small, dtype=np.float64), 0, 1)`",
                 "`small = Image.fromarray(T.astype(np.float32), mode=\"F\").resize((shape[1], shape[0]), "
                 "Image.Resampling.BOX)`；`return np.clip(np.asarray(small, dtype=np.float64), 0, 1)`"),
        )),
        Exercise("4.6", "guided_gram", Text("Guided Gram matrices", "引导 Gram 矩阵"), 10,
                 called_by=("paint",), option="--content-mask", hints=(
            Text("Multiply every channel of F by the mask, position by position, then take the Gram matrix of "
                 "the product, as in exercise 2.1.",
                 "把 F 的每个通道逐位置乘以掩码，再像练习 2.1 那样求乘积的 Gram 矩阵。"),
            Text("F * T broadcasts T (h, w) over the N channels; multiply once: (F T)(F T)^T already holds T twice "
                 "in each entry. Keep float64.",
                 "F * T 会把 T (h, w) 广播到 N 个通道；只乘一次：(F T)(F T)^T 的每个元素里已经有两次 T。"
                 "保持 float64。"),
            Text("`flat = (F.astype(np.float64) * T).reshape(F.shape[0], -1)`; `return flat @ flat.T`",
                 "`flat = (F.astype(np.float64) * T).reshape(F.shape[0], -1)`；`return flat @ flat.T`"),
        )),
        Exercise("4.7", "guided_style_loss", Text("The style loss, region by region", "逐区域的风格损失"), 20,
                 uses=("2.2", "2.3"), called_by=("paint",), option="--content-mask", hints=(
            Text("For each layer and each region r: the lesson 2 loss of the masked features F * T_r against that "
                 "region's target; sum over the regions, weigh each layer by w_l.",
                 "对每一层、每个区域 r：用第 2 课的损失比较加掩码的特征 F * T_r 与该区域的目标；"
                 "对各区域求和，每层乘以 w_l。"),
            Text("The chain rule through F * T_r multiplies the gradient by T_r: style_layer_grad(F * T, A) * T. "
                 "Add the regions' gradients of a layer (+=), do not average them.",
                 "经过 F * T_r 的链式法则会把梯度乘以 T_r：style_layer_grad(F * T, A) * T。"
                 "把同一层各区域的梯度加起来（+=），不要求平均。"),
            Text("`for T, A in zip(masks[layer], targets[layer]):` `loss += w * style_layer_loss(F * T, A)`; "
                 "`grad += w * style_layer_grad(F * T, A) * T`; then `grads[layer] = grad.astype(np.float32)`",
                 "`for T, A in zip(masks[layer], targets[layer]):` `loss += w * style_layer_loss(F * T, A)`；"
                 "`grad += w * style_layer_grad(F * T, A) * T`；然后 `grads[layer] = grad.astype(np.float32)`"),
        )),
        Exercise("4.8", "mix_scales", Text("The fine scales of one painting, the coarse of another",
                                           "一幅画的细尺度，另一幅画的粗尺度"), 10, stretch=True, hints=(
            Text("Shallow layers (small receptive fields) carry the fine strokes, deep layers the large shapes: "
                 "take each layer's target from one painting or the other.",
                 "浅层（感受野小）承载细的笔触，深层承载大的形状：每一层的目标从其中一幅画取。"),
            Text("A layer of fine_layers takes fine's Gram matrix; every other layer of coarse takes coarse's. "
                 "Return a new dict, every layer of coarse in it.",
                 "fine_layers 里的层取 fine 的 Gram 矩阵；coarse 的其他层都取 coarse 的。"
                 "返回一个新字典，包含 coarse 的每一层。"),
            Text("`return {{layer: (fine if layer in fine_layers else coarse)[layer] for layer in coarse}}`",
                 "`return {{layer: (fine if layer in fine_layers else coarse)[layer] for layer in coarse}}`"),
        )),
    ),
)
