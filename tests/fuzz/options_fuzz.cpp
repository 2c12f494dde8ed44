// libFuzzer target: the command line (app/options.h). The input is argv's
// words, separated by NUL bytes. Whatever they are, parse_options returns:
// nothing, or an exit status with help or one line of error, printed here
// into strings, never to the terminal; no exception, no exit().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "app/options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> words{"forktrace"};
  std::string word;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      words.push_back(word);
      word.clear();
    } else {
      word += static_cast<char>(data[i]);
    }
  }
  if (!word.empty()) words.push_back(word);
  if (words.size() > 64) return 0;
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  ft::Options options;
  std::ostringstream out, err;
  std::optional<int> status = ft::parse_options(static_cast<int>(words.size()), argv.data(), options, out, err);
  std::string error = err.str();
  if (!status) {
    if (!error.empty()) std::abort();  // success says nothing
  } else if (*status != 0) {
    // An error: one line, "forktrace: ...".
    if (error.rfind("forktrace: ", 0) != 0 || error.find('\n') != error.size() - 1) std::abort();
  }
  return 0;
}
