#include "views/view_options.h"

#include "core/exit_status.h"

namespace ft {

bool shown_when_failed_only(const Event& e) {
  if (e.kind == EventKind::exec_failed) return true;  // the text view folds PATH misses itself
  return e.kind == EventKind::exit && !e.thread && decode_wait_status(e.wait_status).failed();
}

}  // namespace ft
