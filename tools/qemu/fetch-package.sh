#!/usr/bin/env bash
# Fetches one Debian package with apt into the kernel matrix's cache and
# unpacks it there (not installed); prints the directory it was unpacked in.
# The matrix uses it for another architecture's busybox-static.
#
#   tools/qemu/fetch-package.sh PACKAGE SUITE ARCH
set -euo pipefail
package=${1:?package} suite=${2:?suite} arch=${3:?architecture}
# shellcheck source=apt-lib.sh
. "$(dirname "$0")/apt-lib.sh"
mkdir -p "$cache"
ft_apt "$suite" "$arch"
version=$("${apt_cache[@]}" policy "$package:$arch" 2>/dev/null | sed -n 's/^ *Candidate: //p')
[ -n "$version" ] && [ "$version" != "(none)" ] || { echo "fetch-package: no $package for $suite/$arch" >&2; exit 1; }
dir="$cache/pkg/$suite-$arch/$package"
if [ -e "$dir/.version" ] && [ "$(cat "$dir/.version")" = "$version" ]; then
  echo "$dir"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
ft_download "$package:$arch" "$dir"
echo "$version" > "$dir/.version"
echo "$dir"
