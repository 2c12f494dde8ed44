#!/usr/bin/env bash
# Fetches the OpenTelemetry protocol's .proto files (opentelemetry-proto,
# Apache-2.0) from a package in the npm registry into DEST, for protoc to
# generate the OTLP/HTTP exporter's code at build time. They are not copied
# into this repository, and no Debian package ships them.
#   tools/fetch-otlp-proto.sh DEST
# The package and its digest are pinned: a different tarball is refused.
set -euo pipefail
dest=${1:?usage: fetch-otlp-proto.sh DEST}
package=@opentelemetry/otlp-grpc-exporter-base@0.34.0
integrity=sha512-8k3CIVjf2+/kmnQNKIR8GtPIfRsQ5ZxBVh3uKof54stVXH/nX5ArceuQaoEfFoFQ8S8wayBZ1QsBwdab65UK0g==

if [ -f "$dest/.fetched" ] && [ "$(cat "$dest/.fetched")" = "$package $integrity" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-otlp-proto.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --cache "$tmp/cache" "$package" >"$tmp/name" 2>"$tmp/err") || {
  echo "fetch-otlp-proto.sh: npm pack $package failed: $(tail -1 "$tmp/err")" >&2
  exit 1
}
tarball="$tmp/$(tail -1 "$tmp/name")"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "fetch-otlp-proto.sh: $package has digest $got, expected $integrity" >&2
  exit 1
fi
mkdir -p "$tmp/x"
tar -xzf "$tarball" -C "$tmp/x" package/build/protos package/LICENSE
rm -rf "$dest"
mkdir -p "$dest"
cp -r "$tmp/x/package/build/protos/opentelemetry" "$dest/"
cp "$tmp/x/package/LICENSE" "$dest/LICENSE"
echo "$package $integrity" >"$dest/.fetched"
