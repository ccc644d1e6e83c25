#!/usr/bin/env bash
# `make bundle`: a relocatable runtime for running the project's Caffe build on another Linux
# machine that has neither Debian 12's libraries nor Python 3.11 (e.g. an Ubuntu 24.04 GPU
# machine with Python 3.12, no boost, no package access): Python 3.11 (interpreter, libpython,
# standard library), the Python packages the checks and benches need (numpy, scipy, pillow,
# scikit-image, protobuf, six, pytest, tqdm and what they require, copied from .venv), Caffe
# (libcaffe, pycaffe) and the Debian 12 shared libraries all of them link, except glibc itself
# and the NVIDIA driver. One tar.xz; unpack it anywhere and run its bin/python.
#
# Usage: tools/gpu/bundle.sh [CAFFE_PREFIX]
#   CAFFE_PREFIX  the Caffe build to ship (default: the CUDA + cuDNN build of
#                 tools/caffe/build-cuda.sh, built first if it is not cached)
#   NVIDIA=1      also ship cuBLAS, cuRAND and cuDNN from the build's PyPI wheels (about 1.2 GB
#                 unpacked, several hundred MB compressed); without it bin/python finds them on
#                 the target machine (pip's nvidia-* wheels of any python3 there, e.g. PyTorch's,
#                 or BRUSHSTROKES_NVIDIA_LIBS=dir1:dir2)
#
# Cached in ~/.cache/brushstrokes/bundle/<key>.tar.xz (keyed by this script, the Caffe build and
# the packages), copied to output/bundle/brushstrokes-runtime.tar.xz. Prints that path last.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VENV_PY=$ROOT/.venv/bin/python
CACHE=${BRUSHSTROKES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/brushstrokes}
NVIDIA=${NVIDIA:-0}
# top-level distributions; what they require comes along
PACKAGES=(numpy scipy pillow scikit-image protobuf six pytest tqdm)
log() { echo "[bundle] $*" >&2; }

PREFIX=${1:-}
if [ -z "$PREFIX" ]; then
    PREFIX=$(nice -n 10 tools/caffe/build-cuda.sh "$VENV_PY" | tail -1)
fi
[ -f "$PREFIX/BUILD_INFO" ] || { log "$PREFIX is not a Caffe build of this project (no BUILD_INFO)"; exit 1; }
PYBASE=$("$VENV_PY" -c 'import sys; print(sys._base_executable)')
PYBASE=$(readlink -f "$PYBASE")
STDLIB=$("$VENV_PY" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
SITE=$("$VENV_PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
PYVER=$("$VENV_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

KEY=$( { sha256sum "$0" | cut -d' ' -f1; echo "$PREFIX NVIDIA=$NVIDIA"; cat "$PREFIX/BUILD_INFO";
         "$VENV_PY" -m pip freeze 2>/dev/null | grep -i -E "^($(IFS='|'; echo "${PACKAGES[*]}"))=="; } \
       | sha256sum | cut -c1-16)
OUT_TAR="$CACHE/bundle/brushstrokes-runtime-$KEY.tar.xz"
FINAL="$ROOT/output/bundle/brushstrokes-runtime.tar.xz"
if [ -f "$OUT_TAR" ]; then
    log "cached bundle $OUT_TAR"
else
    STAGE="$CACHE/bundle/$KEY.work"
    R="$STAGE/brushstrokes-runtime"
    rm -rf "$STAGE"
    mkdir -p "$R/bin" "$R/lib" "$R/lib/python3/dist-packages" "$R/caffe"

    log "Python $PYVER from $PYBASE and $STDLIB"
    cp "$PYBASE" "$R/bin/python$PYVER"
    # the standard library without its tests, IDLE and Tk
    tar -C "$(dirname "$STDLIB")" --exclude='__pycache__' --exclude="python$PYVER/test" \
        --exclude="python$PYVER/idlelib" --exclude="python$PYVER/tkinter" --exclude="python$PYVER/turtledemo" \
        --exclude="python$PYVER/ensurepip" --exclude="python$PYVER/site-packages" --exclude="python$PYVER/dist-packages" \
        -cf - "python$PYVER" | tar -C "$R/lib" -xf -

    log "Python packages: ${PACKAGES[*]} and what they require"
    "$VENV_PY" - "$SITE" "$R/lib/python3/dist-packages" "${PACKAGES[@]}" <<'EOF'
import re, shutil, sys
from importlib import metadata
from pathlib import Path

site, dest, *wanted = sys.argv[1:]
seen, todo = set(), list(wanted)
while todo:
    name = re.split(r"[\s;<>=!\[~(]", todo.pop())[0].lower().replace("_", "-")
    if name in seen:
        continue
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        continue
    seen.add(name)
    for req in dist.requires or []:
        if "extra ==" not in req:
            todo.append(req)
    for f in dist.files or []:
        parts = Path(f).parts
        if "__pycache__" in parts or "tests" in parts or parts[0] == ".." or f.suffix == ".pyc":
            continue
        src = Path(site) / f
        if src.is_file():
            out = Path(dest) / f
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, out)
print(" ".join(sorted(seen)), file=sys.stderr)
EOF

    log "Caffe from $PREFIX"
    cp -a "$PREFIX/lib" "$R/caffe/"
    cp "$PREFIX/BUILD_INFO" "$R/caffe/"
    CAFFE_PY=$(cat "$PREFIX/PYTHONPATH")
    # brushstrokes.net.caffe_env finds BUILD_INFO four folders above caffe/__init__.py: keep that layout
    echo "../../../caffe/${CAFFE_PY#"$PREFIX"/}" > "$R/lib/python3/dist-packages/brushstrokes-caffe.pth"

    log "shared libraries they link (all but glibc and the NVIDIA driver/toolkit libraries)"
    SKIP='^(linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libutil\.so|libresolv\.so|libcaffe\.so|libcuda\.so|libcublas|libcurand|libcudnn|libnvidia)'
    objs=("$R/bin/python$PYVER" $(find "$R/caffe" "$R/lib/python$PYVER/lib-dynload" -name '*.so*' -type f))
    for o in "${objs[@]}"; do
        LD_LIBRARY_PATH="$PREFIX/lib" ldd "$o" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}'
    done | sort -u | while read -r name path; do
        [[ "$name" =~ $SKIP ]] && continue
        [ -e "$R/lib/$name" ] || cp -L "$path" "$R/lib/$name"
    done
    # libpython for boost-python and _caffe.so; cudart for a CUDA build
    LIBPY=$("$VENV_PY" -c 'import sysconfig, os; print(os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")))')
    [ -e "$R/lib/$(basename "$LIBPY")" ] || cp -L "$LIBPY" "$R/lib/"
    if grep -q "^variant=cuda" "$PREFIX/BUILD_INFO"; then
        CUDART=$(LD_LIBRARY_PATH="$PREFIX/lib" ldd "$PREFIX"/lib/libcaffe.so.* | awk '/libcudart/ {print $3}' | head -1)
        [ -n "$CUDART" ] || CUDART=$(readlink -f /usr/local/cuda/lib64/libcudart.so.13)
        cp -L "$CUDART" "$R/lib/libcudart.so.13"
        if [ "$NVIDIA" = 1 ]; then
            NV=$(cat "$PREFIX/NVIDIA_LIBS")
            mkdir -p "$R/nvidia"
            cp -a "$NV/nvidia/cu13" "$NV/nvidia/cudnn" "$R/nvidia/"
            rm -rf "$R/nvidia/cu13/include" "$R/nvidia/cudnn/include"
        fi
    fi

    cat > "$R/bin/python" <<'EOF'
#!/bin/sh
# The bundle's Python 3 with pycaffe: sets PYTHONHOME and LD_LIBRARY_PATH for this folder, finds the
# NVIDIA libraries (the bundle's nvidia/, BRUSHSTROKES_NVIDIA_LIBS, or pip's nvidia-* wheels of a
# python3 on this machine) and the driver's folder, and keeps the caller's PYTHONPATH.
R=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
NV=""
for d in "$R"/nvidia/*/lib; do [ -d "$d" ] && NV="$NV:$d"; done
[ -n "${BRUSHSTROKES_NVIDIA_LIBS:-}" ] && NV="$NV:$BRUSHSTROKES_NVIDIA_LIBS"
if [ -z "$NV" ] && [ -z "${BRUSHSTROKES_NO_HOST_NVIDIA:-}" ]; then
    for py in python3 /opt/torch/.venv/bin/python3 /usr/bin/python3; do
        found=$(env -u PYTHONHOME -u PYTHONPATH -u LD_LIBRARY_PATH "$py" -c 'import nvidia, glob, os
print(":".join(d for p in nvidia.__path__ for d in sorted(glob.glob(os.path.join(p, "*", "lib")))))' 2>/dev/null) || continue
        [ -n "$found" ] && { NV=":$found"; break; }
    done
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/local/cuda/lib64; do
    [ -d "$d" ] && NV="$NV:$d"
done
export PYTHONHOME="$R"
export PYTHONNOUSERSITE=1
export LD_LIBRARY_PATH="$R/lib:$R/caffe/lib$NV${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GLOG_minloglevel="${GLOG_minloglevel:-2}"
exec "$R/bin/python@PYVER@" "$@"
EOF
    sed -i "s/@PYVER@/$PYVER/" "$R/bin/python"
    chmod +x "$R/bin/python"
    ln -s python "$R/bin/python3"
    { echo "made $(date -u +%Y-%m-%dT%H:%MZ) on $(. /etc/os-release; echo "$PRETTY_NAME") from $PREFIX"
      echo "python $("$VENV_PY" -c 'import sys; print(sys.version.split()[0])')"
      "$VENV_PY" -m pip freeze 2>/dev/null | grep -F -f <(ls "$R/lib/python3/dist-packages" | sed -n 's/-[^-]*\.dist-info$//p' | tr _ -) -i || true
      echo "nvidia libraries included: $NVIDIA"; } > "$R/BUNDLE_INFO"

    log "compressing (xz -6, 2 threads)"
    mkdir -p "$(dirname "$OUT_TAR")"
    tar -C "$STAGE" -cf - brushstrokes-runtime | nice -n 10 xz -6 -T2 > "$OUT_TAR.tmp"
    mv "$OUT_TAR.tmp" "$OUT_TAR"
    log "unpacked $(du -sh "$R" | cut -f1), compressed $(du -h "$OUT_TAR" | cut -f1)"
    rm -rf "$STAGE"
fi
mkdir -p "$(dirname "$FINAL")"
cp "$OUT_TAR" "$FINAL.tmp" && mv "$FINAL.tmp" "$FINAL"
echo "$FINAL"
