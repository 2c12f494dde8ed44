#!/usr/bin/env bash
# Builds the minimal initramfs the kernel matrix boots: busybox-static for the
# tools (sh, mount, sleep, true, touch...), the guest's /init, and the given
# programs at the same absolute paths as on the build machine (the test
# binaries have forktrace's and ft-workload's paths compiled in), each with the
# shared libraries it needs (from readelf's NEEDED entries, so it works for a
# cross-compiled arm64 build too).
#
#   tools/qemu/make-initramfs.sh -o OUT.cpio.gz -a x86_64|aarch64 [-b BUSYBOX]
#       [-m MODULE.ko]... [-t TEST_BINARY]... [-u TEST_BINARY]... [-d DIR]... [-p DEST=PROGRAM]...
#       [PROGRAM]...
#
# -d directories are copied as they are, at the same absolute paths (test
# data that the tests name by their source path, such as golden files).
# -p puts PROGRAM at DEST in the guest (another architecture's program, from
# a package unpacked into the cache: run-matrix.sh's arm64 openssl).
# -t programs are GoogleTest binaries that the guest runs test by test, -u
# ones it runs once as a whole (they are copied too); -m modules are loaded in
# the given order before the tests.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="" arch="" busybox=/bin/busybox
modules=() tests=() programs=() dirs=() placed=()
while getopts "o:a:b:m:t:u:d:p:" opt; do
  case $opt in
    o) out=$OPTARG ;;
    a) arch=$OPTARG ;;
    b) busybox=$OPTARG ;;
    m) modules+=("$OPTARG") ;;
    t) tests+=("each $OPTARG"); programs+=("$OPTARG") ;;
    u) tests+=("whole $OPTARG"); programs+=("$OPTARG") ;;
    d) dirs+=("$OPTARG") ;;
    p) placed+=("$OPTARG") ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
programs+=("$@")
[ -n "$out" ] && [ -n "$arch" ] || { echo "usage: $0 -o OUT -a ARCH [-b BUSYBOX] [-m KO]... [-t TEST]... [PROGRAM]..." >&2; exit 2; }

case $arch in
  x86_64) triplet=x86_64-linux-gnu ;;
  aarch64) triplet=aarch64-linux-gnu ;;
  *) echo "make-initramfs: unknown architecture $arch" >&2; exit 2 ;;
esac
# Where the build machine keeps this architecture's libraries (multiarch, and
# the cross toolchain's own libstdc++ for arm64).
libdirs=("/lib/$triplet" "/usr/lib/$triplet" "/usr/$triplet/lib")
[ "$arch" != "$(uname -m)" ] || libdirs+=(/lib64 /lib)
strip=strip
[ "$arch" = "$(uname -m)" ] || strip="$triplet-strip"

root=$(mktemp -d)
chmod 755 "$root"  # the guest's /: nobody must get through it
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,ft,"lib/$triplet"}
chmod 1777 "$root/tmp"

# busybox and a link for each of its applets, where Debian puts the real tools.
if readelf -l "$busybox" | grep -q INTERP; then echo "make-initramfs: $busybox is not static" >&2; exit 1; fi
cp "$busybox" "$root/bin/busybox"
# The host's busybox-static names the applets; Debian builds every architecture
# with the same configuration.
while read -r applet; do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <(/bin/busybox --list-full)

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo ft-guest > "$root/etc/hostname"

copy_lib() {  # NAME: the first match in this architecture's library dirs, and what it needs
  local name=$1 dir
  [ -e "$root/lib/$triplet/$name" ] && return 0
  for dir in "${libdirs[@]}"; do
    if [ -e "$dir/$name" ]; then
      cp -L "$dir/$name" "$root/lib/$triplet/$name"
      copy_needed "$dir/$name"
      return 0
    fi
  done
  echo "make-initramfs: no $name for $arch in ${libdirs[*]}" >&2
  return 1
}

copy_needed() {  # ELF: its interpreter and NEEDED libraries
  local elf=$1 interp lib
  interp=$(readelf -l "$elf" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
  if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
    mkdir -p "$root$(dirname "$interp")"
    copy_lib "$(basename "$interp")"
    [ "$interp" = "/lib/$triplet/$(basename "$interp")" ] ||
      ln -sf "/lib/$triplet/$(basename "$interp")" "$root$interp"
  fi
  for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    copy_lib "$lib"
  done
}

# The guest mounts its own /proc, /sys and /dev over what the initramfs has
# there (guest-init.sh), so nothing the tests need may live below them.
guest_path() {  # PATH: its absolute, symlink-free form, where the guest will have it
  local p
  p=$(readlink -f "$1") || { echo "make-initramfs: $1 does not exist" >&2; return 1; }
  [ -e "$p" ] || { echo "make-initramfs: $1 does not exist" >&2; return 1; }
  case $p in
    /proc/* | /sys/* | /dev/*)
      echo "make-initramfs: $p is below a directory the guest mounts over (/proc, /sys, /dev): build elsewhere" >&2
      return 1 ;;
  esac
  echo "$p"
}

for p in "${programs[@]}"; do
  p=$(guest_path "$p")
  mkdir -p "$root$(dirname "$p")"
  # Debug info is most of the test binaries' size; the guest has no debugger.
  "$strip" --strip-debug -o "$root$p" "$p"
  copy_needed "$p"
done
for p in "${placed[@]}"; do
  mkdir -p "$root$(dirname "${p%%=*}")"
  rm -f "$root${p%%=*}"
  cp -L "${p#*=}" "$root${p%%=*}"
  copy_needed "${p#*=}"
done
for d in "${dirs[@]}"; do
  d=$(guest_path "$d")
  mkdir -p "$root$(dirname "$d")"
  cp -a "$d" "$root$d"
done
# Debian's ld.so finds /lib/<triplet> without a cache; /usr/lib is the same place.
ln -s "../lib" "$root/usr/lib"

for m in "${modules[@]}"; do
  cp "$m" "$root/ft/"
  basename "$m" >> "$root/ft/modules"
done
for t in "${tests[@]}"; do echo "${t%% *} $(guest_path "${t#* }")" >> "$root/ft/tests"; done
touch "$root/ft/tests" "$root/ft/modules"
install -m 755 "$here/guest-init.sh" "$root/init"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "make-initramfs: $out ($(du -h "$out" | cut -f1))" >&2
