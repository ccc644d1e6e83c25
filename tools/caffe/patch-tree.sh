#!/usr/bin/env bash
# The Caffe patch series as a git repository, to edit a patch and write it back (README.md in this folder).
#
# Usage: tools/caffe/patch-tree.sh DIR           make DIR: Debian's caffe source as build.sh unpacks it (one
#                                                commit), then one commit per patch of patches/series, in order
#        tools/caffe/patch-tree.sh --export DIR  write each patch commit of DIR back to patches/<name>: the
#                                                commit message's text as the description, then `git diff` of it
#
# The tree stacks every patch of the series (OPENMP=1 DNNL=1 CUDNN=1 unless set otherwise in the environment):
# the patches of the CPU build and of the cuDNN build touch different files, so each one's diff is the same
# whichever others lie below it. Each patch commit names its file in a "Patch:" trailer; --export reads it.
# The source comes from ~/.cache/brushstrokes/downloads (fetched once, as build.sh does; offline after that).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${BRUSHSTROKES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/brushstrokes}
OPENMP=${OPENMP:-1}
DNNL=${DNNL:-1}
CUDNN=${CUDNN:-1}
log() { echo "[patch-tree] $*" >&2; }
# shellcheck source=tools/caffe/caffe-source.sh
. "$HERE/caffe-source.sh"

# git with settings fixed, whatever the user's configuration: the commits' author, and the diff format of
# the patches as committed (a/ b/ prefixes, 7-digit index lines, no colour, no renames, Myers' algorithm)
tree_git() {
    git -C "$TREE" -c user.name="Brushstrokes patch tree" -c user.email=patch-tree@brushstrokes.invalid \
        -c core.abbrev=7 -c diff.noprefix=false -c diff.mnemonicPrefix=false -c diff.algorithm=myers \
        -c diff.renames=false -c color.ui=false "$@"
}

make_tree() {
    [ ! -e "$TREE" ] || { log "$TREE exists: give a new folder"; exit 1; }
    local parent tmp src p
    parent=$(dirname "$TREE")
    mkdir -p "$parent"
    tmp=$(mktemp -d "$parent/.patch-tree.XXXXXX")
    src=$(caffe_source "$tmp")
    rm -rf "$src/.pc"  # quilt's record of Debian's own patches, already applied
    mv "$src" "$TREE"
    rm -rf "$tmp"
    tree_git init -q
    # -f: Caffe's .gitignore would leave out data/ and models/
    tree_git add -A -f .
    tree_git commit -q -m "Debian caffe $CAFFE_SRC_VERSION (debian/patches applied)"
    series_patches
    for p in "${SERIES[@]}"; do
        patch -d "$TREE" -p1 --quiet --batch < "$p" || { log "$(basename "$p") does not apply"; exit 1; }
        tree_git add -A -f .
        { patch_description "$p"; echo; echo "Patch: $(basename "$p")"; } | tree_git commit -q -F -
        log "$(basename "$p")"
    done
    log "ready: $TREE ($(tree_git rev-list --count HEAD) commits); after editing, commit and run: $0 --export $TREE"
}

export_tree() {
    [ -d "$TREE/.git" ] || { log "$TREE is not a patch tree (no .git)"; exit 1; }
    local c name out
    for c in $(tree_git rev-list --reverse HEAD); do
        name=$(tree_git log -1 --format='%(trailers:key=Patch,valueonly)' "$c" | head -1)
        [ -n "$name" ] || continue  # the Debian source
        case "$name" in */* | .*) log "commit $c names $name: not a patch of $CAFFE_PATCHES"; exit 1 ;; esac
        out="$CAFFE_PATCHES/$name"
        {
            tree_git log -1 --format=%B "$c" | sed '/^Patch: /d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
            echo
            tree_git diff --no-ext-diff --no-textconv "$c^" "$c"
        } > "$out.new"
        if cmp -s "$out.new" "$out"; then rm "$out.new"; else mv "$out.new" "$out"; log "wrote $out"; fi
        grep -q "^$name\b" "$CAFFE_PATCHES/series" || log "$name is not in patches/series yet: add it there"
    done
}

case "${1:-}" in
    --export) TREE=$(realpath -m "${2:?usage: patch-tree.sh --export DIR}"); export_tree ;;
    -* | "") sed -n '4,7s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    *) TREE=$(realpath -m "$1"); make_tree ;;
esac
