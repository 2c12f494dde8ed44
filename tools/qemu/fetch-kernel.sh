#!/usr/bin/env bash
# Fetches one of Debian's kernel packages with apt into a cache outside the
# repository and unpacks what the matrix boots; prints the directory that
# holds it: vmlinuz, config, the virtio modules, and `package` (name, version).
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
if [ -e "$dir/package" ] && [ "$(cat "$dir/package")" = "$image $version" ]; then
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
for m in virtio_mmio virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_console; do
  find "$unpacked/lib/modules" -name "$m.ko*" -exec cp {} "$dir.new/modules/" \;
done
echo "$image $version" > "$dir.new/package"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "fetch-kernel: $image $version in $dir" >&2
echo "$dir"
