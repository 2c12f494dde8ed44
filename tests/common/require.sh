# Sourced by the shell tests. A test that cannot run here skips (exit 77,
# ctest's SKIP_RETURN_CODE), unless FORKTRACE_REQUIRE_ROOT_TESTS=1 (CI) says
# it must run: then it fails, so CI never passes by skipping.

# cannot_run WHY: skip, or fail under FORKTRACE_REQUIRE_ROOT_TESTS=1.
cannot_run() {
  if [ "${FORKTRACE_REQUIRE_ROOT_TESTS:-0}" = 1 ]; then
    echo "FAIL: $* (FORKTRACE_REQUIRE_ROOT_TESTS=1: this test must run)"
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

# require_root [WHY]
require_root() {
  [ "$(id -u)" -eq 0 ] || cannot_run "${1:-needs root}"
}
