#!/usr/bin/env bash
# Fetches one of Debian's kernel packages with apt into a cache outside the
# repository and unpacks what the matrix boots; prints the directory that
# holds it: vmlinuz, config, the modules a guest loads (modules/: the virtio
# transports and console, and a RAM disk with ext4 for the tests' storage I/O;
# modules/storage lists the latter in load order), and `package` (name,
# version, and this script's layout of the directory).
#
#   tools/qemu/fetch-kernel.sh SUITE ARCH      # e.g. bullseye amd64, bookworm amd64, bookworm arm64
#
# The machine's own suite comes through its apt sources; another suite through
# a private sources list and apt state in the cache (apt-lib.sh), so the
# machine's apt configuration is never touched. The cache is
# $FORKTRACE_KERNEL_CACHE (default /var/cache/forktrace-kernels).
set -euo pipefail
suite=${1:?suite (bookworm, bullseye)}
arch=${2:?architecture (amd64, arm64)}
# shellcheck source=apt-lib.sh
. "$(dirname "$0")/apt-lib.sh"
mkdir -p "$cache"
ft_apt "$suite" "$arch"

# linux-image-ARCH depends on the current ABI's package, e.g. linux-image-6.1.0-57-amd64.
image=$("${apt_cache[@]}" depends "linux-image-$arch:$arch" 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ :]*\)\(:[a-z0-9]*\)\{0,1\}$/\1/p' | head -n1)
[ -n "$image" ] || { echo "fetch-kernel: cannot resolve linux-image-$arch for $suite/$arch" >&2; exit 1; }
version=$("${apt_cache[@]}" policy "$image:$arch" 2>/dev/null | sed -n 's/^ *Candidate: //p')
dir="$cache/$suite-$arch"
layout=3  # bump when what is kept changes, so that a cached kernel is fetched again
if [ -e "$dir/package" ] && [ "$(cat "$dir/package")" = "$image $version layout $layout" ]; then
  echo "$dir"
  exit 0
fi
unpacked=$(mktemp -d "$cache/.unpack.XXXXXX")
trap 'rm -rf "$unpacked"' EXIT
ft_download "$image:$arch" "$unpacked"
rm -rf "$dir.new"
mkdir -p "$dir.new/modules"
mv "$unpacked"/boot/vmlinuz-* "$dir.new/vmlinuz"
mv "$unpacked"/boot/config-* "$dir.new/config"
# Only the modules a guest may load (the virtio transports and console); the
# rest is most of the package.
# Debian 13 ships them in /usr/lib/modules (merged /usr), xz-compressed; the
# guest's busybox insmod takes plain .ko files.
modules=$unpacked/lib/modules
[ -d "$modules" ] || modules=$unpacked/usr/lib/modules
plain_module() {  # FILE DEST: the module, decompressed
  case $1 in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz) xz -dc "$1" > "$2" ;;
    *.ko.zst) zstd -qdc "$1" > "$2" ;;
    *.ko.gz) gzip -dc "$1" > "$2" ;;
    *) echo "fetch-kernel: $1: unknown module compression" >&2; return 1 ;;
  esac
}
for m in virtio_mmio virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_console; do
  # Built into some kernels (then there is no file).
  file=$(find "$modules" -name "$m.ko*" | head -n1)
  [ -z "$file" ] || plain_module "$file" "$dir.new/modules/$m.ko"
done
# Storage for the tests that measure storage I/O (read_bytes, write_bytes: the
# kernel counts block I/O, never tmpfs): brd, a RAM disk, and ext4 (which
# mounts busybox's ext2), each after the modules it depends on (the depends=
# of its .modinfo section; the package has no modules.dep, depmod makes that
# at install).
keep_module() {  # NAME: it and its dependencies, dependencies first, into modules/storage
  local name=$1 file dep
  grep -qx "$name.ko" "$dir.new/modules/storage" 2>/dev/null && return 0
  file=$(find "$modules" -name "$name.ko*" | head -n1)
  [ -n "$file" ] || file=$(find "$modules" -name "${name//_/-}.ko*" | head -n1)
  if [ -z "$file" ]; then
    # Built in (modules.builtin lists it): nothing to load.
    cat "$modules"/*/modules.builtin 2>/dev/null | grep -Eq "/($name|${name//_/-})\.ko\$" && return 0
    echo "fetch-kernel: $image has no $name module" >&2
    return 1
  fi
  plain_module "$file" "$dir.new/modules/$name.ko" || return 1
  for dep in $(readelf -p .modinfo "$dir.new/modules/$name.ko" | sed -n 's/^ *\[ *[0-9a-f]*\] *depends=//p' | tr ',' ' '); do
    keep_module "$dep" || return 1
  done
  echo "$name.ko" >> "$dir.new/modules/storage"
}
keep_module brd
# ext4 takes its checksum driver from the crypto API at every mount, ext2 too
# (its softdep "pre: crypto-crc32c"); Debian builds crc32c as a module.
keep_module crc32c_generic
keep_module ext4
echo "$image $version layout $layout" > "$dir.new/package"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "fetch-kernel: $image $version in $dir" >&2
echo "$dir"
