// What a view wrote to its temporary file, for the view tests.
#pragma once

#include <cstdio>
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

}  // namespace ft
