// Wires the layers together; each mode lives in app/live.cpp or app/replay.cpp.
#include <cstdio>
#include <exception>

#include "app/options.h"
#include "app/run.h"

int main(int argc, char** argv) {
  try {
    ft::Options options;
    if (auto status = ft::parse_options(argc, argv, options)) return *status;
    return options.read_path.empty() ? ft::run_live(options) : ft::run_replay(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "forktrace: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "forktrace: unexpected internal error\n");
  }
  return 1;
}
