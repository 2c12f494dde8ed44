#!/usr/bin/env bash
# Boots one kernel under qemu (software emulation: -accel tcg; nested KVM
# hangs on the project's machines) with an initramfs from make-initramfs.sh,
# until the guest powers off. The console goes to PREFIX.console.log, the
# guest's results port (guest-init.sh) to PREFIX.results; PREFIX.times gets
# "BOOT_S WALL_S QEMU_STATUS CPU_S" (boot: until the guest's /init reported;
# CPU: qemu's user and system time).
#
#   tools/qemu/boot.sh -a x86_64|aarch64 -k KERNEL_DIR -i INITRD -o PREFIX [NAME=VALUE]...
#
# KERNEL_DIR is fetch-kernel.sh's. NAME=VALUE pairs go on the kernel command
# line, where the guest's /init reads them as variables (ft_filter, ft_timeout,
# ft_dump). Environment: FT_MATRIX_TIMEOUT (seconds for the whole boot, 3000),
# FT_MATRIX_SMP (2), FT_MATRIX_MEM (2048 MiB), FT_MATRIX_TCG_THREAD (single:
# one host thread runs every vCPU; multi stalled a 2-vCPU x86 guest for good
# while the kernel patched a tracepoint's static key on detach).
set -euo pipefail
arch="" kdir="" initrd="" prefix=""
while getopts "a:k:i:o:" opt; do
  case $opt in
    a) arch=$OPTARG ;;
    k) kdir=$OPTARG ;;
    i) initrd=$OPTARG ;;
    o) prefix=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$arch" ] && [ -n "$kdir" ] && [ -n "$initrd" ] && [ -n "$prefix" ] ||
  { echo "usage: $0 -a ARCH -k KERNEL_DIR -i INITRD -o PREFIX [NAME=VALUE]..." >&2; exit 2; }
boot_timeout=${FT_MATRIX_TIMEOUT:-3000}
smp=${FT_MATRIX_SMP:-2}
tcg_thread=${FT_MATRIX_TCG_THREAD:-single}
mem=${FT_MATRIX_MEM:-2048}
log="$prefix.console.log" results="$prefix.results"
rm -f "$log" "$results" "$prefix.times"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
append="rdinit=/init panic=-1 mitigations=off $*"

# The kernel's own modules come as a second archive after the initramfs (the
# kernel unpacks concatenated archives in order, so its /ft/modules replaces
# the initramfs's): the results port's where the kernel has it as a module,
# then the storage the tests write to (fetch-kernel.sh's modules/storage; brd
# makes one 256 MiB RAM disk).
add_module() {  # NAME [PARAMETER]...
  [ -e "$kdir/modules/$1" ] || { echo "boot: $kdir has no $1: fetch it again (fetch-kernel.sh)" >&2; exit 1; }
  cp "$kdir/modules/$1" "$work/mods/ft/"
  echo "$*" >> "$work/mods/ft/modules"
}
mkdir -p "$work/mods/ft"
: > "$work/mods/ft/modules"
case $arch in
  x86_64)
    qemu=(qemu-system-x86_64 -accel "tcg,thread=$tcg_thread" -M q35 -cpu max -serial "file:$log" -serial "file:$results")
    append="console=ttyS0 ft_results=/dev/ttyS1 $append" ;;
  aarch64)
    # virt has one PL011 UART: the results go over a virtio console (hvc0),
    # which Debian builds as modules.
    add_module virtio_mmio.ko
    add_module virtio_console.ko
    # pauth-impdef: the emulated pointer authentication's own hash, much
    # cheaper under TCG than the architected QARMA.
    qemu=(qemu-system-aarch64 -accel "tcg,thread=$tcg_thread" -M virt -cpu max,pauth-impdef=on -serial "file:$log"
          -device virtio-serial-device -chardev "file,id=ftresults,path=$results"
          -device virtconsole,chardev=ftresults)
    append="console=ttyAMA0 ft_results=/dev/hvc0 $append" ;;
  *) echo "boot: unknown architecture $arch" >&2; exit 2 ;;
esac
[ -e "$kdir/modules/storage" ] || { echo "boot: $kdir has no modules/storage: fetch it again (fetch-kernel.sh)" >&2; exit 1; }
while read -r m; do
  if [ "$m" = brd.ko ]; then add_module brd.ko rd_nr=1 rd_size=262144; else add_module "$m"; fi
done < "$kdir/modules/storage"
{ cat "$initrd"
  (cd "$work/mods" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1
} > "$work/initrd"

start=$(date +%s.%N)
elapsed() { awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }'; }
timeout -s KILL "$boot_timeout" "${qemu[@]}" -smp "$smp" -m "$mem" -nodefaults -display none -monitor none \
  -no-reboot -kernel "$kdir/vmlinuz" -initrd "$work/initrd" -append "$append" &
qemu_pid=$!
boot=""
while kill -0 "$qemu_pid" 2>/dev/null; do
  if [ -z "$boot" ] && grep -qs '^FT-BOOT ' "$results"; then boot=$(elapsed); fi
  sleep 0.5
done
set +e
wait "$qemu_pid"
rc=$?
set -e
touch "$results"
sed -i 's/\r$//' "$results"  # in case a tty turned \n into \r\n
wall=$(elapsed)
[ -n "$boot" ] || ! grep -qs '^FT-BOOT ' "$results" || boot=$wall
# CPU time of this script's children, almost all of it qemu's: on a shared
# machine the wall time mostly measures the others.
times > "$work/times"
cpu=$(tail -n1 "$work/times" | awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%.0f", n }')
echo "${boot:--} $wall $rc $cpu" > "$prefix.times"
