# Debian's caffe source and the patch series (patches/series), for build.sh, build-cuda.sh and patch-tree.sh.
# Sourced, not run. Needs CACHE (the cache folder) and log (a function printing to stderr) from the caller.
# Part of the build scripts' cache key: a change here rebuilds Caffe.

CAFFE_SRC_VERSION=1.0.0+git20180821.99bd997-8
CAFFE_PATCHES=$(cd "$(dirname "${BASH_SOURCE[0]}")/patches" && pwd)

# SERIES: the applicable patches' paths, in series order. A condition VAR=VALUE reads the caller's variable
# VAR (unset counts as 0); "always" or no condition applies the patch in every build.
series_patches() {
    local name cond var
    SERIES=()
    while read -r name cond _; do
        case "$name" in '' | '#'*) continue ;; esac
        [ -f "$CAFFE_PATCHES/$name" ] || { log "patches/series names $name, which is not in $CAFFE_PATCHES"; return 1; }
        if [ -n "$cond" ] && [ "$cond" != always ]; then
            var=${cond%%=*}
            [ "${!var:-0}" = "${cond#*=}" ] || continue
        fi
        SERIES+=("$CAFFE_PATCHES/$name")
    done < "$CAFFE_PATCHES/series"
}

# A patch without its description: from its first "diff --git" line on (what `patch` reads).
patch_diff() { sed -n '/^diff --git /,$p' "$1"; }

# A patch's description: the lines before its first "diff --git" line, without trailing blank lines.
patch_description() { sed '/^diff --git /,$d' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }

# The cache key's part for the patches: each applicable patch's name and the hash of its diff, in order
# (a description or a comment in the series can change without a rebuild).
series_key() {
    local p
    series_patches || return 1
    for p in "${SERIES[@]}"; do
        echo "$(basename "$p") $(patch_diff "$p" | sha256sum | cut -d' ' -f1)"
    done
}

# Apply the applicable patches to the source tree $1, in order.
apply_series() {
    local p
    series_patches || return 1
    for p in "${SERIES[@]}"; do
        patch -d "$1" -p1 --quiet --batch < "$p" || { log "$(basename "$p") does not apply to $1"; return 1; }
    done
}

# Unpack Debian's caffe source package into the folder $1 (made; debian/patches applied, as `apt-get source`
# leaves it) and print the source tree's path. The package's three files are downloaded once, through a
# private sources list (the system's apt configuration is untouched), into $CACHE/downloads/caffe-<version>;
# later calls work offline. dpkg-source checks them against the checksums in the .dsc.
caffe_source() {
    local dest=$1 dl="$CACHE/downloads/caffe-$CAFFE_SRC_VERSION" apt
    if [ ! -f "$dl/OK" ]; then
        log "downloading Debian's caffe source package ($CAFFE_SRC_VERSION) into $dl"
        rm -rf "$dl" && mkdir -p "$dl"
        apt="$dl/.apt"
        mkdir -p "$apt/lists/partial" "$apt/sources.list.d"
        # Debian 12 has no caffe; its source package from Debian 11 builds here.
        echo "deb-src http://deb.debian.org/debian bullseye main" > "$apt/sources.list"
        local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
                    -o "Dir::State::Lists=$apt/lists" -o "APT::Sandbox::User=root")
        (cd "$dl" && apt-get -qq "${opts[@]}" update >&2 \
            && apt-get -qq "${opts[@]}" source --download-only "caffe=$CAFFE_SRC_VERSION" >&2) || {
            log "could not fetch Debian's caffe source package ($CAFFE_SRC_VERSION)."
            log "Check that deb.debian.org is reachable, then try again."
            return 1
        }
        rm -rf "$apt"
        touch "$dl/OK"
    fi
    local tree="$dest/caffe-${CAFFE_SRC_VERSION%-*}"
    mkdir -p "$dest"
    dpkg-source -x "$dl/caffe_$CAFFE_SRC_VERSION.dsc" "$tree" > "$dest/dpkg-source.log" 2>&1 || {
        cat "$dest/dpkg-source.log" >&2
        log "could not unpack $dl: remove it and try again"
        return 1
    }
    echo "$tree"
}
