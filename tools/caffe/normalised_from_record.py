"""Remake the normalised VGG19 from the raw caffemodel and the JSON record beside the normalised one.

The record (brushstrokes/net/normalise.py) keeps each layer's mean activations as exact float64 values,
so scaling the raw weights by them again gives the same bytes on any machine: no images, no forward
passes. The result's md5 is checked against the record's. Used where only the raw weights and the
record can travel (tools/gpu/device_check.sh).
Usage: python tools/caffe/normalised_from_record.py RAW.caffemodel RECORD.json
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from brushstrokes.net.normalise import normalised_path, normalised_weights, record_path  # noqa: E402
from brushstrokes.net.weights import md5sum, read_caffemodel, write_caffemodel  # noqa: E402


def main() -> int:
    raw, record = Path(sys.argv[1]), Path(sys.argv[2])
    info = json.loads(record.read_text())
    if md5sum(raw) != info["raw_md5"]:
        print(f"{raw} is not the raw model the record was made from", file=sys.stderr)
        return 1
    import numpy as np

    means = {name: np.array(values, dtype=np.float64) for name, values in info["means"].items()}
    target = normalised_path(raw)
    write_caffemodel(normalised_weights(read_caffemodel(raw), means), target)
    got = md5sum(target)
    if got != info["md5"]:
        print(f"remade {target} has md5 {got}, the record says {info['md5']}", file=sys.stderr)
        return 1
    if record.resolve() != record_path(raw).resolve():
        shutil.copyfile(record, record_path(raw))
    print(f"remade {target} (md5 {got}, as recorded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
