"""How far two sets of the checks' reference files (lessonN.npz) differ, array by array.

Prints each numeric array's largest |a - b| relative to the largest |b| and the device each set was
made on (meta_device). Exits 0 (a report, not a verdict: the checks themselves decide what is close).
Usage: python tools/caffe/compare_references.py OLD_DIR NEW_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def main() -> int:
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    worst = (0.0, "")
    for path in sorted(new.glob("lesson*.npz")):
        if not (old / path.name).exists():
            print(f"{path.name}: not in {old}")
            continue
        a, b = np.load(path), np.load(old / path.name)
        dev_a = str(a["meta_device"]) if "meta_device" in a.files else "?"
        dev_b = str(b["meta_device"]) if "meta_device" in b.files else "?"
        print(f"{path.name}: new made on {dev_a}, old on {dev_b}")
        for name in a.files:
            if name.startswith("meta_") or name not in b.files or a[name].dtype.kind not in "fiu":
                continue
            x, y = a[name].astype(np.float64), b[name].astype(np.float64)
            if x.shape != y.shape:
                print(f"  {name:28s} shapes differ {x.shape} vs {y.shape}")
                continue
            rel = float(np.abs(x - y).max() / max(np.abs(y).max(), 1e-30)) if x.size else 0.0
            print(f"  {name:28s} {rel:.2e}")
            if rel > worst[0]:
                worst = (rel, f"{path.name}:{name}")
    print(f"largest relative difference new vs old: {worst[0]:.2e} ({worst[1] or '-'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
