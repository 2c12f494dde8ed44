// What a view wrote to its temporary file, for the view tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace ft {

inline std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

// A view test's fixture: its output goes to a temporary file `out`, and
// times print in UTC, whatever the machine's zone.
class ViewOutputTest : public testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
    out = std::tmpfile();
    ASSERT_NE(out, nullptr);
  }
  void TearDown() override { std::fclose(out); }

  std::FILE* out = nullptr;
};

}  // namespace ft
