#include "core/errno_label.h"

#include <cstring>

namespace ft {

std::string errno_label(int error) {
  // strerrorname_np (glibc 2.32) names every errno Linux defines; 0 and
  // negative numbers are no errno and have no name ("0" for 0).
  const char* name = error > 0 ? strerrorname_np(error) : nullptr;
  return name ? std::string(name) : "E" + std::to_string(error);
}

}  // namespace ft
