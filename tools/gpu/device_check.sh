#!/usr/bin/env bash
# The GPU check of the CUDA + cuDNN build, prepared here and run on a lent GPU machine (Ubuntu 24.04,
# Python 3.12, no boost, no package access), where it uses the relocatable bundle (`make bundle`).
#
#   tools/gpu/device_check.sh pack         here: make the bundle and split it, with the raw VGG19 weights and
#                                      the normalised model's record, into output/device/part1..N
#                                      (each at most PART_MB MiB, default 44, so that a part plus the
#                                      repository fits in one call's 64 MiB); prints the calls to make
#   tools/gpu/device_check.sh stage        there, one call per part, carrying output/device/partK: keeps the
#                                      part in $STAGE (/tmp/brushstrokes-device) while the machine stays warm
#   tools/gpu/device_check.sh run [--cpu]  there, the last call (it may carry the last part itself): puts the
#                                      payload together, unpacks the bundle, remakes the normalised weights
#                                      (byte-identical, md5-checked), then, within DEADLINE_S (default 450 s):
#                                      1. one forward/backward on the GPU against the same on its CPU
#                                      2. pycaffe GPU vs PyTorch fp32 + cuDNN (the machine's python3), per size
#                                      3. pytest checks/ --solutions on the GPU
#                                      4. the references regenerated on the GPU into $OUT/references, compared
#                                         with checks/references, and the checks run on the CPU against them
#                                      and writes the logs and references to $OUT (output/device-check here).
#                                      --cpu: all of it on the CPU, shorter bench: a dry run without a GPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
STAGE=${BRUSHSTROKES_DEVICE_STAGE:-/tmp/brushstrokes-device}
PART_MB=${PART_MB:-44}
DEADLINE_S=${DEADLINE_S:-450}
CACHE=${BRUSHSTROKES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/brushstrokes}
say() { echo "[device-check] $*"; }

pack() {
    local bundle models payload
    bundle=$(tools/gpu/bundle.sh ${CAFFE_PREFIX:+"$CAFFE_PREFIX"} | tail -1)
    models="$CACHE/models"
    for f in vgg19_conv.caffemodel vgg19_conv.caffemodel.md5 vgg19_conv_normalised.json; do
        [ -f "$models/$f" ] || { say "missing $models/$f: run make setup first"; exit 1; }
    done
    payload="$CACHE/device-payload"
    rm -rf "$payload" output/device
    mkdir -p "$payload/p/models" output/device
    ln "$bundle" "$payload/p/brushstrokes-runtime.tar.xz" 2>/dev/null || cp "$bundle" "$payload/p/brushstrokes-runtime.tar.xz"
    cp "$models/vgg19_conv.caffemodel" "$models/vgg19_conv.caffemodel.md5" "$models/vgg19_conv_normalised.json" \
        "$payload/p/models/"
    tar -C "$payload/p" -cf "$payload/payload.tar" .
    (cd "$payload" && split -b "${PART_MB}M" -d -a 2 payload.tar chunk.)
    local chunks n=0
    chunks=$(cd "$payload" && ls chunk.*)
    # shellcheck disable=SC2086,SC2116
    printf 'sha256 %s\nchunks %s\n' "$(sha256sum "$payload/payload.tar" | cut -d' ' -f1)" "$(echo $chunks)" \
        > "$payload/MANIFEST"
    for c in $chunks; do
        n=$((n + 1))
        mkdir -p "output/device/part$n"
        mv "$payload/$c" "output/device/part$n/$c"
        cp "$payload/MANIFEST" "output/device/part$n/"
    done
    rm -rf "$payload"
    say "bundle $(du -h "$bundle" | cut -f1), payload in $n parts under output/device/ ($(du -sh output/device | cut -f1)):"
    du -h output/device/part*/chunk.* | sed 's/^/    /'
    say "on the GPU machine, one call each, back to back (the machine stays warm about 30 s between calls):"
    for i in $(seq 1 $((n - 1))); do
        echo "    carry [\"output/device/part$i\"]  command: bash tools/gpu/device_check.sh stage"
    done
    echo "    carry [\"output/device/part$n\"]  command: bash tools/gpu/device_check.sh run   (timeout_s 540)"
}

stage() {
    mkdir -p "$STAGE/chunks"
    local d
    for d in output/device/part*/; do
        [ -d "$d" ] || continue
        cp "$d"/chunk.* "$d"/MANIFEST "$STAGE/chunks/"
        say "kept $(ls "$d" | grep chunk | tr '\n' ' ')in $STAGE/chunks"
    done
    [ -f "$STAGE/chunks/MANIFEST" ] || { say "no part carried (carry output/device/partK)"; exit 1; }
    local missing=""
    for c in $(sed -n 's/^chunks //p' "$STAGE/chunks/MANIFEST"); do
        [ -f "$STAGE/chunks/$c" ] || missing="$missing $c"
    done
    if [ -n "$missing" ]; then say "still missing:$missing"; else say "all parts here: run 'tools/gpu/device_check.sh run'"; fi
}

unpack() {
    stage
    local want c
    want=$(sed -n 's/^sha256 //p' "$STAGE/chunks/MANIFEST")
    if [ "$(cat "$STAGE/payload.sha256" 2>/dev/null)" != "$want" ]; then
        for c in $(sed -n 's/^chunks //p' "$STAGE/chunks/MANIFEST"); do
            [ -f "$STAGE/chunks/$c" ] || { say "part $c is missing: stage every part first"; exit 1; }
        done
        rm -rf "$STAGE/payload" "$STAGE/rt" && mkdir -p "$STAGE/payload" "$STAGE/rt"
        local parts=()
        for c in $(sed -n 's/^chunks //p' "$STAGE/chunks/MANIFEST"); do parts+=("$STAGE/chunks/$c"); done
        cat "${parts[@]}" > "$STAGE/payload.tar"
        [ "$(sha256sum "$STAGE/payload.tar" | cut -d' ' -f1)" = "$want" ] || {
            say "the parts do not add up (sha256 differs)"; exit 1; }
        tar -C "$STAGE/payload" -xf "$STAGE/payload.tar"
        rm "$STAGE/payload.tar"
        tar -C "$STAGE/rt" -xJf "$STAGE/payload/brushstrokes-runtime.tar.xz"
        rm "$STAGE/payload/brushstrokes-runtime.tar.xz"
        mkdir -p "$STAGE/cache/models"
        mv "$STAGE/payload/models/"* "$STAGE/cache/models/"
        echo "$want" > "$STAGE/payload.sha256"
    fi
}

left() { echo $((DEADLINE_S - SECONDS)); }

step() {  # step NAME LIMIT_S LOGFILE CMD...: runs CMD with the smaller of LIMIT_S and the time left
    local name=$1 limit=$2 log=$3 rc=0 t0=$SECONDS
    shift 3
    [ "$(left)" -lt "$limit" ] && limit=$(left)
    if [ "$limit" -lt 20 ]; then
        say "$name: skipped (${DEADLINE_S}s budget spent)"; RESULTS+=("$name: skipped (time)"); return 0
    fi
    say "$name (at most ${limit}s)"
    timeout -k 5 "$limit" "$@" > >(tee "$log") 2>&1 || rc=$?
    sleep 0.5
    RESULTS+=("$name: $([ $rc = 0 ] && echo ok || { [ $rc = 124 ] && echo "stopped at ${limit}s" || echo "FAILED (exit $rc)"; }) in $((SECONDS - t0)) s")
    return 0
}

run() {
    local cpu=0
    [ "${1:-}" = "--cpu" ] && cpu=1
    SECONDS=0
    RESULTS=()
    unpack
    local out=${OUT:-$REPO/output/device-check}
    mkdir -p "$out"
    exec > >(tee "$out/log.txt") 2>&1
    local py="$STAGE/rt/brushstrokes-runtime/bin/python"
    export BRUSHSTROKES_CACHE="$STAGE/cache" PYTHONPATH="$REPO" PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
    local mode=GPU device=auto d
    if [ $cpu = 1 ]; then
        mode=CPU; device=cpu
        # a dry run on the build machine: the CUDA build's cuBLAS/cuRAND/cuDNN wheels from its cache
        if [ -z "${BRUSHSTROKES_NVIDIA_LIBS:-}" ]; then
            for d in "$CACHE"/nvidia-*/nvidia/*/lib; do
                [ -d "$d" ] && BRUSHSTROKES_NVIDIA_LIBS="${BRUSHSTROKES_NVIDIA_LIBS:+$BRUSHSTROKES_NVIDIA_LIBS:}$d"
            done
            export BRUSHSTROKES_NVIDIA_LIBS
        fi
    fi
    export BRUSHSTROKES_DEVICE=$device
    say "$(uname -srm); $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"); $(nproc) CPUs; mode $mode"
    [ $cpu = 1 ] || nvidia-smi -L || say "nvidia-smi lists no GPU"
    head -2 "$STAGE/rt/brushstrokes-runtime/BUNDLE_INFO"
    "$py" -c 'import caffe, brushstrokes.net.caffe_env as e, sys
print("python", sys.version.split()[0], "| caffe", caffe.__version__, "|", e.build_info()["variant"], "build |",
      e.gpu_status()[1])
libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "/lib" in line and any(
    k in line for k in ("libcudnn.so", "libcublas.so", "libcurand.so", "libcudart", "libcuda.so"))})
print("NVIDIA libraries loaded:", *libs, sep="\n    ")'
    "$py" tools/caffe/normalised_from_record.py "$BRUSHSTROKES_CACHE/models/vgg19_conv.caffemodel" \
        "$BRUSHSTROKES_CACHE/models/vgg19_conv_normalised.json"

    local w="$BRUSHSTROKES_CACHE/models/vgg19_conv.caffemodel" fb="$STAGE/fb"
    mkdir -p "$fb"
    step "1. forward/backward, $mode vs this bundle's CPU" 90 "$fb/log.txt" bash -c "
        '$py' tools/caffe/fb_compare.py run models/vgg19.prototxt '$w' '$fb/cpu.npz' &&
        '$py' tools/caffe/fb_compare.py run models/vgg19.prototxt '$w' '$fb/dev.npz' $([ $cpu = 1 ] || echo --gpu) &&
        '$py' tools/caffe/fb_compare.py compare '$fb/dev.npz' '$fb/cpu.npz' --tol 1e-4"
    local bench_args=(--torch-python python3)
    [ $cpu = 1 ] && bench_args=(--cpu --sizes 128 --rounds 1 --reps 2)
    step "2. bench, pycaffe $mode$([ $cpu = 1 ] || echo ' vs PyTorch fp32 + cuDNN')" 150 "$out/bench.txt" \
        "$py" tools/gpu/device_bench.py "${bench_args[@]}" --weights "$STAGE/vgg19_conv_weights.npz"
    step "3. pytest checks/ --solutions on the $mode" 150 "$out/checks.txt" \
        "$py" -m pytest checks/ --solutions -q -p no:cacheprovider
    step "4a. references made on the $mode" 60 "$out/references.txt" bash -c "
        '$py' -m tools.dev.references --out '$out/references' &&
        '$py' tools/caffe/compare_references.py checks/references '$out/references'"
    BRUSHSTROKES_DEVICE=cpu step "4b. pytest checks/ --solutions on the CPU against those references" 200 \
        "$out/checks_cpu.txt" "$py" -m pytest checks/ --solutions -q -p no:cacheprovider \
        --references-dir "$out/references"

    say "summary ($mode, ${SECONDS}s of ${DEADLINE_S}s):"
    printf '    %s\n' "${RESULTS[@]}"
    grep -h -E "^(same|DIFFERENT)" "$fb/log.txt" | sed 's/^/    forward\/backward: /' || true
    grep -h -E "^ratio|relu5_1" "$out/bench.txt" | sed 's/^/    bench: /' || true
    grep -h -E "[0-9]+ (passed|failed|error)" "$out/checks.txt" | sed 's/^/    checks: /' || true
    grep -h -E "^(largest|wrote)" "$out/references.txt" | sed 's/^/    references: /' || true
    grep -h -E "[0-9]+ (passed|failed|error)" "$out/checks_cpu.txt" | sed 's/^/    checks on the CPU, new references: /' \
        || true
}

case "${1:-}" in
    pack) pack ;;
    stage) stage ;;
    run) shift; run "$@" ;;
    *) sed -n '2,24p' "$0"; exit 2 ;;
esac
