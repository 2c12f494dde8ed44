// --redact REGEX: argv can hold secrets (tokens, passwords), and every output
// shows it. What a pattern matches in an argument is replaced by "[redacted]"
// before anything sees the event: the views, the JSON, the OpenTelemetry
// export, the metrics and the recording; on replay, before the views.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "core/event.h"
#include "model/seed.h"

namespace ft {

class Redactor {
 public:
  static constexpr const char* kReplacement = "[redacted]";

  // False with `error` for a pattern std::regex (ECMAScript) refuses.
  bool add(const std::string& pattern, std::string& error);
  bool active() const { return !patterns_.empty(); }

  void apply(std::vector<std::string>& argv) const;
  void apply(Event& event) const { if (active()) apply(event.argv); }
  void apply(std::vector<SeedProcess>& seeds) const;

 private:
  std::vector<std::regex> patterns_;
};

}  // namespace ft
