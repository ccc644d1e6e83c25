#!/usr/bin/env bash
# Build BVLC Caffe + pycaffe from Debian's caffe source package, with the patches of
# patches/series that apply to this build, into a cache outside the repository.
#
# Usage: [OPENMP=1|0] [DNNL=1|0] tools/caffe/build.sh PYTHON [CUDA=0|1]
#   PYTHON  the interpreter pycaffe is built for (the project's .venv python)
#   CUDA    1 builds the CUDA variant (needs nvcc), 0 the CPU_ONLY one
#   OPENMP  1 (default) adds patches/cpu-speed.patch and -fopenmp: im2col/col2im and average
#           pooling run on every core, ReLU's backward pass is vectorised (same float32
#           results); 0 builds Caffe's serial CPU code
#   DNNL    1 (default for CPU_ONLY) adds patches/dnnl-conv.patch: float convolutions on the CPU run
#           with oneDNN's direct algorithm (Debian's libdnnl-dev) instead of im2col + GEMM
#           (features within float32 rounding, about 3e-7 relative); CAFFE_DNNL=0 in
#           the environment switches it off at run time; 0 (default for CUDA=1, where the
#           GPU runs the convolutions) leaves it out
#
# Prints the install prefix (the cache entry) on its last line of stdout.
# The cache key covers everything the build depends on: the source package
# version, the applicable patches' diffs in series order (not their description
# lines), this script and caffe-source.sh, the compiler, the libraries it links,
# the Python and numpy versions and the CUDA settings. Reusing an entry takes
# well under a second.
set -euo pipefail

PYTHON=${1:?usage: build.sh PYTHON [0|1]}
CUDA=${2:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${BRUSHSTROKES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/brushstrokes}
CUDA_ARCH_BIN=${CUDA_ARCH_BIN:-80 86 89 90}
CUDA_ARCH_PTX=${CUDA_ARCH_PTX:-90}
CUBLAS_PIN=nvidia-cublas==13.0.0.19
CURAND_PIN=nvidia-curand==10.4.0.35
JOBS=${JOBS:-$(nproc)}
OPENMP=${OPENMP:-1}
DNNL=${DNNL:-$([ "$CUDA" = 1 ] && echo 0 || echo 1)}
CUDNN=0  # cuDNN builds are build-cuda.sh's

log() { echo "[caffe] $*" >&2; }
# shellcheck source=tools/caffe/caffe-source.sh
. "$HERE/caffe-source.sh"

pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

key_material() {
    echo "src=$CAFFE_SRC_VERSION cuda=$CUDA openmp=$OPENMP dnnl=$DNNL"
    series_key
    sha256sum "$HERE/build.sh" "$HERE/caffe-source.sh" | cut -d' ' -f1
    "$PYTHON" -c 'import sys, numpy; print(sys.version.split()[0], numpy.__version__)'
    c++ --version | head -1
    for p in libboost-python-dev libprotobuf-dev libgoogle-glog-dev libgflags-dev libopenblas-dev libdnnl-dev; do
        echo "$p=$(pkgver "$p")"
    done
    if [ "$CUDA" = 1 ]; then
        nvcc --version | tail -1
        echo "$CUDA_ARCH_BIN/$CUDA_ARCH_PTX $CUBLAS_PIN $CURAND_PIN"
    fi
}

KEY=$(key_material | sha256sum | cut -c1-16)
VARIANT=$([ "$CUDA" = 1 ] && echo cuda || echo cpu)
ENTRY="$CACHE/caffe/$VARIANT-$KEY"
PREFIX="$ENTRY/prefix"

if [ -f "$ENTRY/OK" ]; then
    log "cached build $ENTRY"
    echo "$PREFIX"
    exit 0
fi

log "building Caffe ($VARIANT) into $ENTRY (on 2 cores: about 7 min for CPU, 30-50 min for CUDA with four GPU architectures)"
WORK="$ENTRY.work"
rm -rf "$WORK" "$ENTRY"
mkdir -p "$WORK"
SRC=$(caffe_source "$WORK")
if [ "$DNNL" = 1 ] && [ ! -f /usr/include/dnnl.hpp ]; then
    log "DNNL=1 needs oneDNN: apt-get install libdnnl-dev (or DNNL=0)"; exit 1
fi
apply_series "$SRC"
OMP_FLAGS=$([ "$OPENMP" = 1 ] && echo -fopenmp || true)

PY_INC=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
PY_LIB=$("$PYTHON" -c 'import sysconfig, os; print(os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("LDLIBRARY")))')

CMAKE_ARGS=(
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_INSTALL_PREFIX="$PREFIX"
    -DCMAKE_INSTALL_RPATH="$PREFIX/lib"
    -DBLAS=Open -DUSE_OPENCV=OFF -DUSE_LEVELDB=OFF -DUSE_LMDB=OFF -DUSE_HDF5=OFF
    -DBUILD_python=ON -DBUILD_python_layer=ON -Dpython_version=3 -DBUILD_docs=OFF
    -DPYTHON_EXECUTABLE="$PYTHON" -DPYTHON_INCLUDE_DIR="$PY_INC" -DPYTHON_LIBRARY="$PY_LIB"
    -DCMAKE_SHARED_LINKER_FLAGS="$OMP_FLAGS" -DCMAKE_EXE_LINKER_FLAGS="$OMP_FLAGS"
    -DUSE_DNNL="$([ "$DNNL" = 1 ] && echo ON || echo OFF)"
)
if [ "$CUDA" = 1 ]; then
    command -v nvcc >/dev/null || { log "CUDA=1 needs nvcc on PATH"; exit 1; }
    # nvcc on PATH may be a wrapper script: find the real toolkit folder.
    CUDA_ROOT=${CUDA_HOME:-}
    [ -n "$CUDA_ROOT" ] || { [ -x /usr/local/cuda/bin/nvcc ] && CUDA_ROOT=/usr/local/cuda; } \
        || CUDA_ROOT=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
    # The local toolkit may lack cuBLAS/cuRAND; PyPI's nvidia wheels carry them.
    NV="$CACHE/nvidia-libs"
    if [ ! -f "$NV/OK" ]; then
        log "installing $CUBLAS_PIN $CURAND_PIN into $NV"
        "$PYTHON" -m pip install -q --no-deps --target "$NV" "$CUBLAS_PIN" "$CURAND_PIN" >&2
        touch "$NV/OK"
    fi
    NVROOT="$NV/nvidia/cu13"
    [ -d "$NVROOT" ] || NVROOT=$(dirname "$(find "$NV/nvidia" -name 'libcublas.so*' | head -1)")/..
    CUBLAS_SO=$(find "$NVROOT" -name 'libcublas.so*' | sort | head -1)
    CURAND_SO=$(find "$NVROOT" -name 'libcurand.so*' | sort | head -1)
    NV_INC=$(dirname "$(find "$NVROOT" -name cublas_v2.h | head -1)")
    CMAKE_ARGS+=(-DCPU_ONLY=OFF -DUSE_CUDNN=OFF -DCUDA_TOOLKIT_ROOT_DIR="$CUDA_ROOT"
        -DCUDA_ARCH_NAME=Manual -DCUDA_ARCH_BIN="$CUDA_ARCH_BIN" -DCUDA_ARCH_PTX="$CUDA_ARCH_PTX"
        -DCUDA_cublas_LIBRARY="$CUBLAS_SO" -DCUDA_curand_LIBRARY="$CURAND_SO"
        -DCMAKE_CXX_FLAGS="-I$NV_INC $OMP_FLAGS" -DCUDA_NVCC_FLAGS="-I$NV_INC${OMP_FLAGS:+ -Xcompiler=$OMP_FLAGS}"
        -DCMAKE_INSTALL_RPATH="$PREFIX/lib;$(dirname "$CUBLAS_SO");$(dirname "$CURAND_SO")")
else
    CMAKE_ARGS+=(-DCPU_ONLY=ON -DCMAKE_CXX_FLAGS="$OMP_FLAGS")
fi

mkdir -p "$WORK/build"
cd "$WORK/build"
# FindCUDA forgets the cuBLAS/cuRAND paths on its first pass (the toolkit root "changed"),
# so the first configure may fail; the second one keeps them.
cmake "${CMAKE_ARGS[@]}" "$SRC" > "$WORK/cmake.log" 2>&1 || true
cmake "${CMAKE_ARGS[@]}" "$SRC" >> "$WORK/cmake.log" 2>&1 || {
    tail -30 "$WORK/cmake.log" >&2; log "cmake failed; full log: $WORK/cmake.log"; exit 1; }
if [ "$CUDA" = 1 ] && ! grep -q "CUDA *: *Yes" "$WORK/cmake.log"; then
    grep -i cuda "$WORK/cmake.log" | tail -5 >&2
    log "cmake did not find CUDA in $CUDA_ROOT; set CUDA_HOME to the toolkit folder and try again"; exit 1
fi
start=$(date +%s)
make -j"$JOBS" caffe pycaffe > "$WORK/make.log" 2>&1 || {
    tail -40 "$WORK/make.log" >&2; log "build failed; full log: $WORK/make.log"; exit 1; }
make install > "$WORK/install.log" 2>&1
log "compiled in $(( $(date +%s) - start )) s"

# pycaffe's Python files live under lib/python3/dist-packages in the prefix.
PYDIR=$(dirname "$(find "$PREFIX" -name _caffe.so | head -1)")/..
PYDIR=$(cd "$PYDIR" && pwd)
echo "$PYDIR" > "$PREFIX/PYTHONPATH"
key_material > "$PREFIX/BUILD_INFO"
echo "variant=$VARIANT" >> "$PREFIX/BUILD_INFO"
mv "$WORK/cmake.log" "$WORK/make.log" "$ENTRY/"
rm -rf "$WORK"
touch "$ENTRY/OK"
echo "$PREFIX"
