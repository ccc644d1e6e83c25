#!/usr/bin/env bash
# Build the CUDA + cuDNN variant of Caffe + pycaffe (`make caffe-cuda`), cached like the
# CPU build of build.sh but in its own entry: ~/.cache/brushstrokes/caffe/cuda-cudnn-<key>.
#
# Usage: tools/caffe/build-cuda.sh PYTHON
#   PYTHON          the interpreter pycaffe is built for (the project's .venv python)
#   CUDA_ARCH_BIN   GPU architectures to compile for (default "90": Hopper, e.g. H100/H200;
#                   "80 86 89 90" adds Ampere and Ada at about four times the compile time)
#   CUDA_ARCH_PTX   PTX kept for newer GPUs (default 90)
#   OPENMP          1 (default) also applies patches/cpu-speed.patch (as the CPU build does), 0 not
#
# Same source and patch series (patches/series) as the CPU build, with DNNL=0 and CUDNN=1:
# brushstrokes-fixes.patch, cpu-speed.patch, then cuda-cudnn9.patch: cuDNN 8 removed cudnnGetConvolution{Forward,BackwardData,BackwardFilter}-
# Algorithm; the patch picks the algorithm with their _v7 replacements (cuDNN's ranking, the
# first one within Caffe's workspace limit), reads cuDNN's version from cudnn_version.h, and gives
# cuDNN layers only to nets made in GPU mode (a net made in CPU mode gets Caffe's own layers, so the
# build also runs on the CPU of a machine without a GPU: the cuDNN layers' set-up needs a device).
# build.sh builds no cuDNN variant, so that the CPU build and its cache key do not move with this one.
#
# nvcc comes from the local CUDA 13 toolkit; cuBLAS, cuRAND and cuDNN are not part of it and
# come from PyPI's NVIDIA wheels (pinned below, unpacked with pip --target into the cache,
# never into .venv). Prints the install prefix on its last line of stdout.
set -euo pipefail

PYTHON=${1:?usage: build-cuda.sh PYTHON}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${BRUSHSTROKES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/brushstrokes}
CUDA_ARCH_BIN=${CUDA_ARCH_BIN:-90}
CUDA_ARCH_PTX=${CUDA_ARCH_PTX:-90}
NV_PINS=(nvidia-cublas==13.0.0.19 nvidia-curand==10.4.0.35 nvidia-cudnn-cu13==9.24.0.43)
JOBS=${JOBS:-$(nproc)}
OPENMP=${OPENMP:-1}
DNNL=0  # the GPU runs the convolutions
CUDNN=1

log() { echo "[caffe-cuda] $*" >&2; }
# shellcheck source=tools/caffe/caffe-source.sh
. "$HERE/caffe-source.sh"

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

command -v nvcc >/dev/null || { log "needs nvcc (CUDA 13) on PATH"; exit 1; }

key_material() {
    echo "src=$CAFFE_SRC_VERSION variant=cudnn openmp=$OPENMP arch=$CUDA_ARCH_BIN/$CUDA_ARCH_PTX ${NV_PINS[*]}"
    series_key
    sha256sum "$HERE/build-cuda.sh" "$HERE/caffe-source.sh" | cut -d' ' -f1
    "$PYTHON" -c 'import sys, numpy; print(sys.version.split()[0], numpy.__version__)'
    c++ --version | head -1
    nvcc --version | tail -1
    for p in libboost-python-dev libprotobuf-dev libgoogle-glog-dev libgflags-dev libopenblas-dev; do
        echo "$p=$(pkgver "$p")"
    done
}

KEY=$(key_material | sha256sum | cut -c1-16)
ENTRY="$CACHE/caffe/cuda-cudnn-$KEY"
PREFIX="$ENTRY/prefix"

if [ -f "$ENTRY/OK" ]; then
    log "cached build $ENTRY"
    echo "$PREFIX"
    exit 0
fi

# ---------------------------------------------------------------- NVIDIA libraries from PyPI
NV_KEY=$(echo "${NV_PINS[*]}" | sha256sum | cut -c1-12)
NV="$CACHE/nvidia-$NV_KEY"
if [ ! -f "$NV/OK" ]; then
    log "unpacking ${NV_PINS[*]} into $NV (about 1.2 GB; wheels kept in $CACHE/downloads/wheels)"
    rm -rf "$NV"
    mkdir -p "$CACHE/downloads/wheels"
    "$PYTHON" -m pip download -q --no-deps --only-binary :all: -d "$CACHE/downloads/wheels" "${NV_PINS[@]}" >&2
    "$PYTHON" -m pip install -q --no-deps --no-index --find-links "$CACHE/downloads/wheels" \
        --target "$NV" "${NV_PINS[@]}" >&2
    touch "$NV/OK"
fi
NV_LIB="$NV/nvidia/cu13/lib"
CUDNN_DIR="$NV/nvidia/cudnn"
for f in "$NV_LIB/libcublas.so.13" "$NV_LIB/libcurand.so.10" "$CUDNN_DIR/lib/libcudnn.so.9" \
         "$CUDNN_DIR/include/cudnn.h" "$NV/nvidia/cu13/include/cublas_v2.h"; do
    [ -e "$f" ] || { log "missing $f: remove $NV and try again"; exit 1; }
done

# nvcc on PATH may be a wrapper script: find the real toolkit folder.
CUDA_ROOT=${CUDA_HOME:-}
[ -n "$CUDA_ROOT" ] || { [ -x /usr/local/cuda/bin/nvcc ] && CUDA_ROOT=/usr/local/cuda; } \
    || CUDA_ROOT=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")

log "building Caffe (CUDA $CUDA_ARCH_BIN + cuDNN) into $ENTRY (on 2 cores, one architecture: about 15-20 min)"
WORK="$ENTRY.work"
rm -rf "$WORK" "$ENTRY"
mkdir -p "$WORK"
SRC=$(caffe_source "$WORK")
apply_series "$SRC"
OMP_FLAGS=$([ "$OPENMP" = 1 ] && echo -fopenmp || true)

PY_INC=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
PY_LIB=$("$PYTHON" -c 'import sysconfig, os; print(os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("LDLIBRARY")))')
INC="-I$NV/nvidia/cu13/include -I$CUDNN_DIR/include"
# CUDA 13 keeps thrust/cub under include/cccl, which nvcc finds but g++ (cudnn_softmax_layer.cpp) does not
[ -d "$CUDA_ROOT/include/cccl" ] && INC="$INC -I$CUDA_ROOT/include/cccl"

CMAKE_ARGS=(
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_INSTALL_PREFIX="$PREFIX"
    -DBLAS=Open -DUSE_OPENCV=OFF -DUSE_LEVELDB=OFF -DUSE_LMDB=OFF -DUSE_HDF5=OFF
    -DBUILD_python=ON -DBUILD_python_layer=ON -Dpython_version=3 -DBUILD_docs=OFF
    -DPYTHON_EXECUTABLE="$PYTHON" -DPYTHON_INCLUDE_DIR="$PY_INC" -DPYTHON_LIBRARY="$PY_LIB"
    -DCMAKE_SHARED_LINKER_FLAGS="$OMP_FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$OMP_FLAGS"
    -DCPU_ONLY=OFF -DUSE_CUDNN=ON -DCUDA_TOOLKIT_ROOT_DIR="$CUDA_ROOT"
    -DCUDA_ARCH_NAME=Manual -DCUDA_ARCH_BIN="$CUDA_ARCH_BIN" -DCUDA_ARCH_PTX="$CUDA_ARCH_PTX"
    -DCUDA_cublas_LIBRARY="$NV_LIB/libcublas.so.13" -DCUDA_curand_LIBRARY="$NV_LIB/libcurand.so.10"
    -DCUDNN_INCLUDE="$CUDNN_DIR/include" -DCUDNN_LIBRARY="$CUDNN_DIR/lib/libcudnn.so.9"
    -DCMAKE_CXX_FLAGS="$INC $OMP_FLAGS" -DCUDA_NVCC_FLAGS="$INC${OMP_FLAGS:+ -Xcompiler=$OMP_FLAGS}"
    -DCMAKE_INSTALL_RPATH="$PREFIX/lib;$NV_LIB;$CUDNN_DIR/lib;$CUDA_ROOT/lib64"
)

mkdir -p "$WORK/build"
cd "$WORK/build"
# FindCUDA forgets the cuBLAS/cuRAND paths on its first pass (the toolkit root "changed"),
# so the first configure may fail; the second one keeps them.
cmake "${CMAKE_ARGS[@]}" "$SRC" > "$WORK/cmake.log" 2>&1 || true
cmake "${CMAKE_ARGS[@]}" "$SRC" >> "$WORK/cmake.log" 2>&1 || {
    tail -30 "$WORK/cmake.log" >&2; log "cmake failed; full log: $WORK/cmake.log"; exit 1; }
grep -q "CUDA *: *Yes" "$WORK/cmake.log" && grep -q "cuDNN *: *Yes" "$WORK/cmake.log" || {
    grep -i -E "cuda|cudnn" "$WORK/cmake.log" | tail -8 >&2
    log "cmake did not enable CUDA and cuDNN; set CUDA_HOME to the toolkit folder and try again"; exit 1; }
start=$(date +%s)
make -j"$JOBS" caffe pycaffe > "$WORK/make.log" 2>&1 || {
    tail -40 "$WORK/make.log" >&2; log "build failed; full log: $WORK/make.log"; exit 1; }
make install > "$WORK/install.log" 2>&1
log "compiled in $(( $(date +%s) - start )) s"

PYDIR=$(dirname "$(find "$PREFIX" -name _caffe.so | head -1)")/..
PYDIR=$(cd "$PYDIR" && pwd)
echo "$PYDIR" > "$PREFIX/PYTHONPATH"
echo "$NV" > "$PREFIX/NVIDIA_LIBS"
key_material > "$PREFIX/BUILD_INFO"
# brushstrokes.net.caffe_env puts Caffe on the GPU when variant=cuda
echo "variant=cuda" >> "$PREFIX/BUILD_INFO"
echo "cudnn=$(sed -n 's/.*Found cuDNN: ver\. \([0-9.]*\).*/\1/p' "$WORK/cmake.log" | tail -1)" >> "$PREFIX/BUILD_INFO"
mv "$WORK/cmake.log" "$WORK/make.log" "$ENTRY/"
rm -rf "$WORK"
touch "$ENTRY/OK"
echo "$PREFIX"
