#!/usr/bin/env bash
# The Debian package (tools/package.sh): build it, install it with dpkg -i,
# run what it installed (forktrace --version, a trace, man forktrace,
# systemctl cat forktrace, the bash completion), then dpkg -r and dpkg -P,
# and check that nothing is left behind. lintian too, where it is installed.
#   tests/package/package_test.sh BUILD_DIR
# Root, and it installs on this machine: CI runs it; elsewhere it skips (77)
# unless FORKTRACE_REQUIRE_ROOT_TESTS=1, and it never touches a forktrace
# package that was installed before it.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: package_test.sh BUILD_DIR}
. "$src/tests/common/require.sh"
fail() { echo "FAIL: $*"; exit 1; }
require_root "needs root to install a package"
exec 9>/tmp/forktrace-package-test.lock
flock 9
if dpkg-query -W -f='${Status}' forktrace 2>/dev/null | grep -q "installed"; then
  cannot_run "a forktrace package is already installed here; not replacing it"
fi

deb=$(BUILD_DIR=$build "$src/tools/package.sh" | tail -1)
[ -f "$deb" ] || fail "package.sh's last line is not the .deb: $deb"
version=$(dpkg-deb -f "$deb" Version)
trap 'dpkg -P forktrace >/dev/null 2>&1 || true' EXIT

dpkg -i "$deb" >/dev/null || fail "dpkg -i $deb"
[ "$(forktrace --version)" = "forktrace $version" ] || fail "forktrace --version: $(forktrace --version)"
[ "$(command -v forktrace)" = /usr/bin/forktrace ] || fail "forktrace is not /usr/bin/forktrace"
# grep reads to the end (no -q): with pipefail, -q's early exit fails the writer with
# SIGPIPE once its output spans two writes (forktrace --help is over 4 KiB).
forktrace --help | grep -- '--otlp' > /dev/null || fail "forktrace --help"
forktrace -r "$src/tests/golden/basic.ftrace" --format tree | grep "exit 3" > /dev/null || fail "replay with the installed binary"
out=$(forktrace -q --format json -- /bin/true) || fail "a live trace with the installed binary"
grep -q '"event":"exit"' <<<"$out" || fail "no exit event traced: $out"

man -P cat forktrace 2>/dev/null | grep "EXIT STATUS" > /dev/null || fail "man forktrace"
man -P cat forktrace 2>/dev/null | grep -- "--otlp-header" > /dev/null || fail "man forktrace lacks --otlp-header"
# systemctl cat needs systemd running as PID 1 (not so in a container); then
# systemctl --root=/ finds the unit where systemd looks for units.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl cat forktrace.service 2>/dev/null | grep '^ExecStart=/usr/bin/forktrace \$FORKTRACE_OPTIONS' > /dev/null ||
    fail "systemctl cat forktrace: $(systemctl cat forktrace.service 2>&1 | head -3)"
  state=$(systemctl is-enabled forktrace.service 2>/dev/null || true)
else
  echo "note: systemd is not PID 1 here, so systemctl --root=/ instead of systemctl cat"
  grep -q '^ExecStart=/usr/bin/forktrace \$FORKTRACE_OPTIONS' /usr/lib/systemd/system/forktrace.service ||
    fail "the unit's ExecStart"
  state=$(systemctl --root=/ is-enabled forktrace.service 2>/dev/null || true)
fi
[ "$state" = disabled ] || fail "the unit is not disabled by default: $state"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/forktrace.service 2>&1 | grep -v "^$" | grep -iv "offline\|not booted" &&
    fail "systemd-analyze verify complains" || true
fi
grep -q '^FORKTRACE_OPTIONS=' /etc/default/forktrace || fail "/etc/default/forktrace"
bash -c 'source /usr/share/bash-completion/completions/forktrace && complete -p forktrace' >/dev/null ||
  fail "bash completion"
[ -f /usr/share/doc/forktrace/opentelemetry.md ] || fail "docs"

if command -v lintian >/dev/null; then
  lintian --fail-on error "$deb" || fail "lintian reports errors"
fi

files=$(dpkg -L forktrace)
dpkg -r forktrace >/dev/null || fail "dpkg -r"
left=()
while read -r f; do
  [ -f "$f" ] && [ "$f" != /etc/default/forktrace ] && left+=("$f")
done <<<"$files"
((${#left[@]} == 0)) || fail "dpkg -r left ${left[*]}"
# The configuration is a conffile: dpkg -r keeps it, dpkg -P removes it.
dpkg -P forktrace >/dev/null || fail "dpkg -P"
[ ! -e /etc/default/forktrace ] || fail "dpkg -P left /etc/default/forktrace"
[ ! -e /usr/lib/systemd/system/forktrace.service ] || fail "unit left behind"
dpkg-query -W -f='${Status}' forktrace 2>/dev/null | grep -q "installed" && fail "still installed"
trap - EXIT
echo "PASS: $deb installs, runs and is removed without a trace"
