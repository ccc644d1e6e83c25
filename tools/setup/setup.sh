#!/usr/bin/env bash
# Everything Brushstrokes needs, idempotent: a second run takes seconds.
#   1. Debian/Ubuntu packages (compilers, Caffe's libraries, Python 3.11, Chromium)
#   2. .venv on Python 3.11 (shared libpython) with the pinned requirements
#   3. Caffe + pycaffe built from Debian's source package, cached outside the repo
#   4. the real VGG19 weights and their normalised copy (verified, repaired when broken)
# Usage: tools/setup/setup.sh [CUDA=auto|0|1]
set -euo pipefail
cd "$(dirname "$0")/../.."

CUDA=auto
for arg in "$@"; do case "$arg" in CUDA=*) CUDA=${arg#CUDA=} ;; esac; done
PYTHON_BASE=${PYTHON_BASE:-/usr/bin/python3.11}
VENV=.venv
say() { echo "[setup] $*"; }

# ---------------------------------------------------------------- 1. system packages
APT_PACKAGES=(
    cmake g++ make patch dpkg-dev xz-utils ca-certificates
    libboost-system-dev libboost-thread-dev libboost-filesystem-dev libboost-python-dev
    libgoogle-glog-dev libgflags-dev libprotobuf-dev protobuf-compiler libopenblas-dev libdnnl-dev
    python3.11 python3.11-venv python3.11-dev libpython3.11
    chromium chromium-driver fonts-wqy-microhei
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
    say "installing system packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
        bash -c "$cmd"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        sudo bash -c "$cmd"
    else
        say "these system packages are missing and installing them needs root. Run:"
        echo "    sudo bash -c '$cmd'"
        say "then run 'make setup' again."
        exit 1
    fi
fi

# ---------------------------------------------------------------- 2. virtual environment
if [ ! -x "$PYTHON_BASE" ]; then
    say "$PYTHON_BASE not found. Brushstrokes needs Python 3.11 with a shared libpython"
    say "(Debian 12's boost-python is built for it). Set PYTHON_BASE=/path/to/python3.11 and run again."
    exit 1
fi
if [ -x "$VENV/bin/python" ] && ! "$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    say "$VENV is not Python 3.11: recreating it"
    rm -rf "$VENV"
fi
[ -x "$VENV/bin/python" ] || "$PYTHON_BASE" -m venv "$VENV"
stamp="$VENV/.brushstrokes-requirements"
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python packages into $VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r requirements.txt
    "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
fi

# ---------------------------------------------------------------- 3. Caffe
if [ "$CUDA" = auto ]; then
    CUDA=0
    if command -v nvcc >/dev/null && command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q GPU; then
        CUDA=1
    fi
fi
PREFIX=$(tools/caffe/build.sh "$PWD/$VENV/bin/python" "$CUDA" | tail -1)
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
cat "$PREFIX/PYTHONPATH" > "$SITE/brushstrokes-caffe.pth"
"$VENV/bin/python" -c 'import os; os.environ["GLOG_minloglevel"] = "2"; import caffe' || {
    say "pycaffe was built but does not import; run 'make doctor' for details."; exit 1; }

# ---------------------------------------------------------------- 4. weights
# the raw VGG19 and the paper's normalised copy beside it (lessons 2, 3): each verified, made if missing and
# made again if broken (a file fetch-model did not write is never replaced: it says what to do instead)
"$VENV/bin/brushstrokes" fetch-model
say "ready: Caffe ($([ "$CUDA" = 1 ] && echo CUDA || echo CPU)) at $PREFIX"
