#!/usr/bin/env bash
# Regenerates the vendored vmlinux.h from a running kernel's BTF, so builds need no BTF
# and no kernel headers on the build machine (CO-RE relocates field offsets at load time).
set -euo pipefail
arch=${1:-x86}
btf=${2:-/sys/kernel/btf/vmlinux}
out="$(cd "$(dirname "$0")/.." && pwd)/bpf/vmlinux/$arch/vmlinux.h"
bpftool btf dump file "$btf" format c > "$out"
echo "wrote $out"
