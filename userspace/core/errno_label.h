// The one name every view, export, metric and report gives an errno.
#pragma once

#include <string>

namespace ft {

// The symbolic name ("ENOENT") where the C library knows one, else "E" and
// the number ("E4095"): never empty, never a sentence.
std::string errno_label(int error);

}  // namespace ft
