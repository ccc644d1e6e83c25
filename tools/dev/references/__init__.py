"""The checks' reference outputs (checks/references/lessonN.npz), one module per lesson (lessonN.py).

A lesson module defines SIZE and `make(net) -> dict[str, np.ndarray]` (arrays from solutions/ on the real VGG19,
small and deterministic); `python -m tools.dev.references [--lesson N]` (`make references`) writes each file with
metadata (device, Caffe build, numpy, date) as string arrays, so `np.load(..., allow_pickle=False)` reads all.
Store only what is stable across machines (inputs, single steps, gradients); the checks compute loop
trajectories live with the reference implementation.
"""
