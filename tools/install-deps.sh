#!/usr/bin/env bash
# Installs what forktrace needs to build and test, from Debian 12's packages.
#   tools/install-deps.sh            # build and test on this machine
#   tools/install-deps.sh --matrix   # also the kernel matrix (tools/qemu/): qemu, busybox-static,
#                                    # and the arm64 cross build (multiarch arm64 libraries)
set -euo pipefail
packages=(
  build-essential cmake pkg-config git
  clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libgtest-dev googletest
  libcpp-httplib-dev libsystemd-dev libncurses-dev tmux
  libprotobuf-dev protobuf-compiler libssl-dev openssl man-db
  util-linux procps curl python3 prometheus systemd
  chromium  # tests/browser: the HTML report in a real headless browser
  bear ccache  # tests/realbuild: --format compile-commands compared with Bear's database, under ccache too
  podman runc busybox-static  # tests/container: a real container (runc: crun refuses v1/v2 cgroup hybrids)
)
# npm fetches the OTLP .proto files at configure time (tools/fetch-otlp-proto.sh).
# Machines with NodeSource's nodejs already have it, and Debian's npm conflicts
# with that package: install Debian's only where there is none.
command -v npm >/dev/null || packages+=(npm)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
update=false
if [ "${1:-}" = --matrix ]; then
  packages+=(
    qemu-system-x86 qemu-system-arm cpio
    g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
    libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libfmt-dev:arm64 libsystemd-dev:arm64
    libgtest-dev:arm64 libcpp-httplib-dev:arm64 libncurses-dev:arm64 libprotobuf-dev:arm64 libssl-dev:arm64
  )
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    update=true
  fi
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  update=true
fi
if $update; then
  $sudo apt-get update -qq
fi
if ((${#missing[@]})); then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
