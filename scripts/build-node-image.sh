#!/usr/bin/env bash
# Builds the local image pogo-local/node:20 without any registry: the host's
# `node` binary and the shared libraries it links, the host's npm, and
# busybox (Debian's busybox-static) for `sh` and the usual tools, imported as
# a single-layer root file system with `docker import`.
#
# The tests and the README use it wherever a Node.js image is needed.
#
#   scripts/build-node-image.sh            # build if missing or stale
#   POGO_NODE_IMAGE=me/node:dev scripts/build-node-image.sh
#
# Environment:
#   POGO_NODE_IMAGE   image reference to build (default pogo-local/node:20)
#   POGO_ENGINE_CLI   engine CLI to use (default docker; `podman` also works)
#
# The image carries a label with a key computed from its inputs (this
# script, and the size and modification time of every file it copies), so a
# second run with unchanged inputs does nothing. Two runs at once are
# serialised by a lock file, and the second then finds the image built.
# Progress goes to stderr; the image reference is printed on stdout.
set -euo pipefail

image=${POGO_NODE_IMAGE:-pogo-local/node:20}
engine=${POGO_ENGINE_CLI:-docker}
label=io.pogo.content-key

log() { echo "build-node-image: $*" >&2; }
fail() { log "$*"; exit 1; }

command -v "$engine" >/dev/null || fail "the engine CLI '$engine' is not on PATH; install Docker or set POGO_ENGINE_CLI"
node_bin=$(command -v node) || fail "node is not on PATH; install Node.js 20 on the host first"
node_bin=$(readlink -f "$node_bin")
busybox_bin=""
for candidate in /bin/busybox /usr/bin/busybox; do
  if [ -x "$candidate" ]; then busybox_bin=$(readlink -f "$candidate"); break; fi
done
[ -n "$busybox_bin" ] || fail "busybox is missing; install it with: apt-get install busybox-static"
# A dynamically linked busybox would need its own libraries in the image.
if ldd "$busybox_bin" >/dev/null 2>&1; then
  fail "$busybox_bin is dynamically linked; install the static build with: apt-get install busybox-static"
fi

# npm's package folder, found from the `npm` on PATH (a symlink to
# <prefix>/lib/node_modules/npm/bin/npm-cli.js in a standard install).
npm_dir=""
if npm_bin=$(command -v npm); then
  npm_cli=$(readlink -f "$npm_bin")
  candidate=$(dirname "$(dirname "$npm_cli")")
  [ -f "$candidate/package.json" ] && [ -f "$candidate/bin/npm-cli.js" ] && npm_dir=$candidate
fi
[ -n "$npm_dir" ] || log "npm not found next to node; the image will have node without npm"

# Libraries as ldd lists them: "name => /path (addr)" or "/path (addr)".
mapfile -t libraries < <(ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca_bundle" ] || ca_bundle=""

compute_key() {
  {
    sha256sum "$0" | cut -d' ' -f1
    echo "$image"
    stat -L -c '%n %s %Y' "$node_bin" "$busybox_bin" "${libraries[@]}" ${ca_bundle:+"$ca_bundle"}
    if [ -n "$npm_dir" ]; then
      (cd "$npm_dir" && find . -printf '%P %s %T@\n' | LC_ALL=C sort)
    fi
  } | sha256sum | cut -c1-32
}

current_key() {
  "$engine" image inspect --format "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true
}

key=$(compute_key)
if [ "$(current_key)" = "$key" ]; then
  echo "$image"
  exit 0
fi

lock_file=${TMPDIR:-/tmp}/pogo-build-node-image.lock
exec 9>"$lock_file"
flock 9
# Another caller may have built it while this one waited for the lock.
if [ "$(current_key)" = "$key" ]; then
  echo "$image"
  exit 0
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/pogo-node-image.XXXXXX")
trap 'rm -rf "$root"' EXIT
log "building $image from $node_bin ($("$node_bin" --version))"

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib/node_modules,etc/ssl/certs,root,tmp,var/tmp,home}
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 700 "$root/root"

cp "$node_bin" "$root/usr/local/bin/node"
for library in "${libraries[@]}"; do
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done

cp "$busybox_bin" "$root/bin/busybox"
# One symlink per applet at the path busybox lists for it (bin/sh,
# usr/bin/env, ...), so `#!/usr/bin/env node` scripts and `sh -c` both work.
while read -r applet; do
  [ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$root/bin/busybox" --list-full)

if [ -n "$npm_dir" ]; then
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  # The same layout as an npm install puts on PATH: symlinks to the scripts.
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
fi

[ -n "$ca_bundle" ] && cp -L "$ca_bundle" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# Import straight into the final tag: the engine switches the tag only once
# the whole layer is stored, so a reader never sees a half-built image.
tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . |
  "$engine" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV HOME=/root' \
    --change "LABEL $label=$key" \
    --change 'CMD ["sh"]' \
    - "$image" >/dev/null
log "built $image"
echo "$image"
