#!/usr/bin/env bash
# Builds the Debian package of forktrace; its last line of output is the path
# of the .deb.
#   tools/package.sh            build in ./build-package, package from there
#   BUILD_DIR=build tools/package.sh   reuse a configured build directory
# The package: /usr/bin/forktrace, the systemd unit (installed disabled) with
# /etc/default/forktrace for its options, forktrace(1), bash completion, the
# docs; Depends from dpkg-shlibdeps on the binary's shared libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
build=${BUILD_DIR:-build-package}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFORKTRACE_TESTS=OFF >&2
fi
cmake --build "$build" -j"$(nproc)" --target forktrace >&2
build=$(cd "$build" && pwd)

version=$(sed -n 's/^project(forktrace VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
out="$build/package"
root="$out/root"
rm -rf "$out"
mkdir -p "$root/DEBIAN"

install -D -m 0755 "$build/forktrace" "$root/usr/bin/forktrace"
strip --strip-unneeded "$root/usr/bin/forktrace"

# The unit from tools/forktrace.service, run from /usr/bin with the options of
# /etc/default/forktrace.
mkdir -p "$root/usr/lib/systemd/system"
awk '
  /^ExecStart=/ { skipping = 1 }
  skipping { if ($0 !~ /\\$/) { skipping = 0
      print "EnvironmentFile=-/etc/default/forktrace"
      print "ExecStart=/usr/bin/forktrace $FORKTRACE_OPTIONS" }
    next }
  /^Documentation=/ { print "Documentation=man:forktrace(1) file:/usr/share/doc/forktrace/service.md" ; next }
  /^# Install:/ { print "# Installed by the forktrace package, disabled: systemctl enable --now forktrace"; next }
  /^#          systemctl/ { next }
  /^# Recordings rotate/ { print "# Options in /etc/default/forktrace (FORKTRACE_OPTIONS); see forktrace(1)."; next }
  /^# \(put a Prometheus/ { next }
  { print }
' tools/forktrace.service >"$root/usr/lib/systemd/system/forktrace.service"
chmod 0644 "$root/usr/lib/systemd/system/forktrace.service"
install -D -m 0644 packaging/forktrace.default "$root/etc/default/forktrace"

install -d "$root/usr/share/man/man1"
sed "s/@VERSION@/$version/" packaging/forktrace.1 | gzip -9n >"$root/usr/share/man/man1/forktrace.1.gz"
install -D -m 0644 packaging/forktrace.bash-completion "$root/usr/share/bash-completion/completions/forktrace"

doc="$root/usr/share/doc/forktrace"
install -d "$doc"
install -m 0644 README.md docs/*.md "$doc/"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: forktrace
Source: https://github.com/forktrace/forktrace

Files: *
Copyright: the forktrace authors
License: Dual BSD/GPL (the BPF programs, as their license section says)
 See /usr/share/common-licenses/GPL-2 and /usr/share/common-licenses/BSD.

Files: opentelemetry-proto (compiled in: code generated from its .proto files)
Copyright: The OpenTelemetry Authors
License: Apache-2.0
 See /usr/share/common-licenses/Apache-2.0.
COPYRIGHT
{
  echo "forktrace ($version) unstable; urgency=medium"
  echo
  echo "  * Package built from $(git -C "$src" describe --always --dirty 2>/dev/null || echo source)."
  echo
  echo " -- forktrace maintainers <forktrace@localhost>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$doc/changelog.Debian.gz"

echo "/etc/default/forktrace" >"$root/DEBIAN/conffiles"
cat >"$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
# Installed disabled: only make systemd see the unit.
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
SCRIPT
cat >"$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop forktrace.service >/dev/null 2>&1 || true
  systemctl disable forktrace.service >/dev/null 2>&1 || true
fi
SCRIPT
cat >"$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = purge ]; then
  rm -rf /var/lib/forktrace
fi
SCRIPT
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

# Depends: the packages of the shared libraries the binary links.
mkdir -p "$out/shlibs/debian"
echo "Source: forktrace" >"$out/shlibs/debian/control"
depends=$(cd "$out/shlibs" && dpkg-shlibdeps -O "$root/usr/bin/forktrace" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat >"$root/DEBIAN/control" <<CONTROL
Package: forktrace
Version: $version
Architecture: $arch
Maintainer: forktrace maintainers <forktrace@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Recommends: systemd
Section: admin
Priority: optional
Homepage: https://github.com/forktrace/forktrace
Description: process lifecycle tracer (fork, exec, exit) with eBPF
 forktrace shows who started whom and how each process ended: every fork,
 exec and exit of a command and its descendants, of followed processes or of
 the whole machine, as text, a tree, JSON Lines, an HTML report or
 OpenTelemetry traces. Recordings replay to the same output anywhere.
 .
 As a service on build-farm nodes it keeps rotating recordings, serves
 Prometheus metrics and sends each job's process tree to an OpenTelemetry
 Collector over OTLP/HTTP.
CONTROL

deb="$out/forktrace_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >&2
echo "$deb"
