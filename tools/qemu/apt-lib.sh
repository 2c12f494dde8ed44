# Sourced by fetch-kernel.sh and fetch-package.sh: sets up apt for one Debian
# suite and architecture without touching the machine's apt configuration.
#
# ft_apt SUITE ARCH sets the arrays apt_get and apt_cache. The machine's own
# suite, in an architecture dpkg knows (its own or a multiarch one), goes
# through the machine's sources. Anything else goes through a private sources
# list and apt state under the cache (apt's Dir::Etc::sourcelist, Dir::State,
# Dir::Cache options), refreshed at most once a day.
cache=${FORKTRACE_KERNEL_CACHE:-/var/cache/forktrace-kernels}
mirror=${FORKTRACE_DEBIAN_MIRROR:-http://deb.debian.org}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

ft_apt() {
  local suite=$1 arch=$2 machine_suite private security stamp
  # shellcheck disable=SC1091
  machine_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  apt_get=(apt-get -q)
  apt_cache=(apt-cache)
  if [ "$suite" = "$machine_suite" ] &&
     { dpkg --print-architecture; dpkg --print-foreign-architectures; } | grep -qx "$arch" &&
     apt-cache show "linux-image-$arch" > /dev/null 2>&1; then
    return 0
  fi
  private="$cache/apt/$suite-$arch"
  mkdir -p "$private/state/lists/partial" "$private/cache/archives/partial" "$private/etc/sources.list.d" \
           "$private/etc/preferences.d"
  security="$suite-security"
  cat > "$private/etc/sources.list" <<SOURCES
deb [arch=$arch signed-by=$keyring] $mirror/debian $suite main
deb [arch=$arch signed-by=$keyring] $mirror/debian $suite-updates main
deb [arch=$arch signed-by=$keyring] $mirror/debian-security $security main
SOURCES
  local options=(-o Dir::Etc::sourcelist="$private/etc/sources.list"
                 -o Dir::Etc::sourceparts="$private/etc/sources.list.d"
                 -o Dir::Etc::preferences="$private/etc/preferences"
                 -o Dir::Etc::preferencesparts="$private/etc/preferences.d"
                 -o Dir::State="$private/state"
                 -o Dir::State::status=/var/lib/dpkg/status
                 -o Dir::Cache="$private/cache"
                 -o APT::Architecture="$arch"
                 -o APT::Architectures="$arch")
  apt_get=(apt-get -q "${options[@]}")
  apt_cache=(apt-cache "${options[@]}")
  stamp="$private/state/updated"
  if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
    "${apt_get[@]}" update -qq >&2
    touch "$stamp"
  fi
}

# ft_download PACKAGE DIR: the package's .deb of the set-up suite, unpacked into DIR.
ft_download() {
  local package=$1 dir=$2 work
  work=$(mktemp -d "$cache/.fetch.XXXXXX")
  # apt downloads as its _apt user where it can write there.
  chown _apt "$work" 2>/dev/null || true
  (cd "$work" && "${apt_get[@]}" download -qq "$package" >&2) &&
    dpkg-deb -x "$work"/*.deb "$dir"
  local rc=$?
  rm -rf "$work"
  return $rc
}
