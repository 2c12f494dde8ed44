// The two ways forktrace runs; each returns forktrace's exit status.
#pragma once

#include "app/options.h"

namespace ft {

int run_live(const Options& options);
int run_replay(const Options& options);

}  // namespace ft
