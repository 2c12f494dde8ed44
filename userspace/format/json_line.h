// One JSON object written straight into a string, for the views that print
// one per event. nlohmann::json builds a tree of allocated nodes per event
// and then walks it: 24,000 instructions per event on the fork+exec+exit
// storm, nine tenths of forktrace's user-space work there
// (docs/benchmarks.md). This writes the same bytes as nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) without the tree, checked
// against it byte for byte by tests/unit/json_line_test.cpp. nlohmann stays
// for everything that parses or is not per event.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "core/container.h"
#include "core/event.h"

namespace ft {

// `s` as a JSON string (quoted): control characters escaped, valid UTF-8 kept,
// each invalid sequence replaced by one U+FFFD the way nlohmann replaces it.
void append_json_string(std::string& out, std::string_view s);

class JsonLine {
 public:
  JsonLine() {
    out_.reserve(512);  // most event lines fit: one allocation
    out_ += '{';
  }

  // Keys are forktrace's own ASCII names, written as they are.
  JsonLine& str(std::string_view key, std::string_view value);
  JsonLine& boolean(std::string_view key, bool value);
  JsonLine& strings(std::string_view key, const std::vector<std::string>& values);
  JsonLine& raw(std::string_view key, std::string_view json);  // a value already in JSON
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  JsonLine& num(std::string_view key, T value) {
    start(key);
    out_ += std::to_string(value);
    return *this;
  }

  // The object, closed; the builder is spent.
  std::string done();

 private:
  void start(std::string_view key);

  std::string out_;
  bool empty_ = true;
};

// The contract's `killed_by` object: {"pid":N,"comm":"NAME"} for a process,
// {"kernel":"oom","oom_cgroup":"/ci/job-42"} (the cgroup where known),
// {"kernel":"fault"} and the like for the kernel's own reasons.
std::string killed_by_json(const KilledBy& killed_by);

// The contract's `container` object: {"id":"<64 hex>","runtime":"podman"},
// with "pod_uid" where Kubernetes names the pod; runtime left out when unknown.
std::string container_json(const Container& container);

}  // namespace ft
