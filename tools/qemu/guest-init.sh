#!/bin/sh
# /init of the kernel matrix's initramfs (busybox sh, pid 1): mounts what
# forktrace and its tests need, runs every test of each GoogleTest binary in
# /ft/tests one by one (as ctest would), and writes the results to the results
# port, a second serial line the host reads (ft_results=, from the kernel
# command line; the console carries only progress). Then powers off.
# The whole-binary runs report a skipped test's reason only in the output of
# a failed run; the per-test runs report it always.
#
# Results, one line each:
#   FT-BOOT <uptime s> <kernel release> <machine>
#   FT-NOTE <text>             (a problem with the guest itself)
#   FT-TEST <PASS|FAIL|SKIP|TIMEOUT> <seconds> <binary> <test>
#   | <output line>            (the output of a test that did not pass)
#   FT-END <uptime s> <passed> <failed> <skipped>
# With ft_dump=FILE (tools/gen-vmlinux.sh) it sends FILE instead, base64
# between FT-FILE-BEGIN and FT-FILE-END lines, and runs no test.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# No tmpfs over /tmp or /run: the initramfs is already a writable in-memory
# root, and the build's binaries and the tests' source folder sit there at
# their host paths, which may be under /tmp (a fresh clone in CI).
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname "$(cat /etc/hostname)"
ip link set lo up 2>/dev/null
# One module a line, with its parameters (boot.sh).
while read -r m params; do
  # shellcheck disable=SC2086 # the parameters are words
  insmod "/ft/$m" $params || echo "ft-guest: cannot load $m" > /dev/console
done < /ft/modules
# Storage for the tests, as ctest's working directory is on the host: the
# usage tests measure storage I/O, which the kernel counts for block devices,
# never for the in-memory root. ext2 on brd's RAM disk (ext4 mounts it).
scratch=/scratch note=""
mkdir -p "$scratch"
if ! { [ -b /dev/ram0 ] && mke2fs -q /dev/ram0 > /dev/null 2>&1 && mount -t ext2 /dev/ram0 "$scratch"; }; then
  note="no storage for the tests (brd's /dev/ram0 with ext2): the storage I/O tests will fail"
fi

uptime_s() { cut -d' ' -f1 /proc/uptime; }
results=${ft_results:-/dev/ttyS1}
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e "$results" ] && break; sleep 0.2; done
exec 3>"$results"
# Raw, so that no \n becomes \r\n; set while open (a tty's settings may go at its last close).
stty raw -echo <&3 2>/dev/null
echo "FT-BOOT $(uptime_s) $(uname -r) $(uname -m)" >&3
[ -z "$note" ] || echo "FT-NOTE $note" >&3
if [ -n "${ft_dump:-}" ]; then
  echo "FT-FILE-BEGIN $ft_dump" >&3
  base64 "$ft_dump" >&3
  echo "FT-FILE-END" >&3
  exec 3>&-
  sync
  poweroff -f
fi

export FORKTRACE_REQUIRE_ROOT_TESTS=1
# The machine's OpenSSL configuration (run-matrix.sh copies /etc/ssl): its
# built-in path, /usr/lib/ssl, is a link into /etc/ssl that the guest lacks.
[ ! -e /etc/ssl/openssl.cnf ] || export OPENSSL_CONF=/etc/ssl/openssl.cnf
timeout=${ft_timeout:-300}
filter=${ft_filter:-*}
passed=0 failed=0 skipped=0
# /ft/tests: "each BINARY" runs each test in its own process (as ctest does:
# the root tests trace the whole machine, one at a time); "whole BINARY" runs
# the binary once (the unit tests: a process per test costs more than the
# test under emulation).
record() {  # RESULT SECONDS BINARY TEST [OUTPUT_FILE]
  case $1 in
    PASS) passed=$((passed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
  echo "FT-TEST $1 $2 $3 $4" >&3
  [ $1 = PASS ] || [ -z "${5:-}" ] || sed 's/^/| /' "$5" >&3
}
while read -r mode bin; do
  name=$(basename "$bin")
  # pid 1 must not exit (the kernel panics): a missing binary is a failed test.
  if [ ! -x "$bin" ]; then
    echo "ft-guest: $bin is not in the initramfs" > /dev/console
    record FAIL 0 "$name" "(missing: $bin is not in the initramfs)"
    continue
  fi
  cd "$(dirname "$bin")"
  [ "$mode" = whole ] || cd "$scratch"
  if [ "$mode" = whole ]; then
    echo "ft-guest: $name" > /dev/console
    timeout -s KILL "$timeout" "$bin" "--gtest_filter=$filter" > /tmp/ft-test.out 2>&1 < /dev/null
    rc=$?
    # gtest's own lines: "[       OK ] Suite.Test (12 ms)", FAILED, SKIPPED.
    awk '/^\[       OK \] / { r = "PASS" } /^\[  FAILED  \] .*\(/ { r = "FAIL" } /^\[  SKIPPED \] .*\(/ { r = "SKIP" }
         r && $NF == "ms)" { sub(/,$/, "", $4); printf "%s %.2f %s\n", r, substr($(NF - 1), 2) / 1000, $4 } { r = "" }' \
      /tmp/ft-test.out > /tmp/ft-whole.results
    while read -r result secs t; do record "$result" "$secs" "$name" "$t"; done < /tmp/ft-whole.results
    if [ $rc -ne 0 ] && ! grep -q '^FAIL' /tmp/ft-whole.results; then
      record FAIL 0 "$name" "(exit status $rc)" /tmp/ft-test.out
    elif [ $rc -ne 0 ]; then
      sed 's/^/| /' /tmp/ft-test.out >&3
    fi
    continue
  fi
  for t in $("$bin" --gtest_list_tests "--gtest_filter=$filter" |
             awk '/^[^ ]/ { suite = $1 } /^  [^ ]/ { print suite $1 }'); do
    echo "ft-guest: $name $t" > /dev/console
    start=$(uptime_s)
    timeout -s KILL "$timeout" "$bin" "--gtest_filter=$t" > /tmp/ft-test.out 2>&1 < /dev/null
    rc=$?
    secs=$(awk -v a="$start" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }')
    if [ $rc -eq 0 ] && grep -q '^\[  SKIPPED \]' /tmp/ft-test.out; then
      result=SKIP
    elif [ $rc -eq 0 ]; then
      result=PASS
    elif [ $rc -eq 137 ]; then
      result=TIMEOUT
    else
      result=FAIL
    fi
    record $result "$secs" "$name" "$t" /tmp/ft-test.out
  done
done < /ft/tests
echo "FT-END $(uptime_s) $passed $failed $skipped" >&3
exec 3>&-
sync
poweroff -f
