#include "app/redact.h"

namespace ft {

bool Redactor::add(const std::string& pattern, std::string& error) {
  try {
    patterns_.emplace_back(pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    error = "--redact " + pattern + ": not a valid regular expression (" + e.what() + ")";
    return false;
  }
  return true;
}

void Redactor::apply(std::vector<std::string>& argv) const {
  for (std::string& arg : argv)
    for (const std::regex& re : patterns_)
      if (std::regex_search(arg, re)) arg = std::regex_replace(arg, re, kReplacement);
}

void Redactor::apply(std::vector<SeedProcess>& seeds) const {
  if (!active()) return;
  for (SeedProcess& s : seeds) apply(s.argv);
}

}  // namespace ft
