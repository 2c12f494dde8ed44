#!/usr/bin/env bash
# Regenerates a vendored vmlinux.h from a kernel's BTF, so builds need no BTF
# and no kernel headers on the build machine (CO-RE relocates field offsets at
# load time).
#
#   tools/gen-vmlinux.sh [x86 [BTF_FILE]]        # default: this machine's /sys/kernel/btf/vmlinux
#   tools/gen-vmlinux.sh arm64 [BTF_FILE]        # default: Debian's arm64 kernel, booted under qemu
#
# For arm64 without a BTF file, Debian's linux-image-arm64 of $FT_VMLINUX_SUITE
# (default bookworm: 6.1) is fetched into the kernel matrix's cache and booted
# with qemu-system-aarch64 (tools/qemu/boot.sh); its /sys/kernel/btf/vmlinux
# comes back over the results port. Needs qemu-system-arm and bpftool.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
arch=${1:-x86}
btf=${2:-}
out="$repo/bpf/vmlinux/$arch/vmlinux.h"
case $arch in
  x86) btf=${btf:-/sys/kernel/btf/vmlinux} ;;
  arm64)
    if [ -z "$btf" ]; then
      suite=${FT_VMLINUX_SUITE:-bookworm}
      work=$(mktemp -d)
      trap 'rm -rf "$work"' EXIT
      busybox=$("$repo/tools/qemu/fetch-package.sh" busybox-static "$suite" arm64)/bin/busybox
      kdir=$("$repo/tools/qemu/fetch-kernel.sh" "$suite" arm64)
      "$repo/tools/qemu/make-initramfs.sh" -o "$work/initrd.cpio.gz" -a aarch64 -b "$busybox"
      "$repo/tools/qemu/boot.sh" -a aarch64 -k "$kdir" -i "$work/initrd.cpio.gz" -o "$work/guest" \
        ft_dump=/sys/kernel/btf/vmlinux
      sed -n '/^FT-FILE-BEGIN /,/^FT-FILE-END/p' "$work/guest.results" | sed '1d;$d' | base64 -d > "$work/vmlinux.btf"
      [ -s "$work/vmlinux.btf" ] || { echo "gen-vmlinux: no BTF came back; console:" >&2; tail -n 30 "$work/guest.console.log" >&2; exit 1; }
      echo "gen-vmlinux: BTF of $(cut -d' ' -f1-2 "$kdir/package") ($(stat -c %s "$work/vmlinux.btf") bytes)"
      btf="$work/vmlinux.btf"
    fi ;;
  *) echo "gen-vmlinux: unknown architecture $arch (x86, arm64)" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$btf" format c > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
