// The integration tests load BPF programs and so need root. Unprivileged they
// skip one by one, but CI runs them as root and sets
// FORKTRACE_REQUIRE_ROOT_TESTS=1: there, a run without root is a failure, said
// in one line, rather than a green run that tested nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const char* required = std::getenv("FORKTRACE_REQUIRE_ROOT_TESTS");
  // Listing the tests (gtest_discover_tests does, at build time) needs no root.
  if (!GTEST_FLAG_GET(list_tests) && geteuid() != 0 && required && std::string(required) == "1") {
    std::fprintf(stderr,
                 "forktrace-integration-tests: FORKTRACE_REQUIRE_ROOT_TESTS=1 but running as uid %u, not root: "
                 "run the tests as root (sudo ctest), or unset the variable to skip them\n",
                 static_cast<unsigned>(geteuid()));
    return 1;
  }
  return RUN_ALL_TESTS();
}
