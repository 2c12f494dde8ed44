#pragma once

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analysis/trace.h"
#include "pipeline/sink.h"

namespace ft {

struct ViewOptions {
  TraceClock clock;
  bool failed_only = false;  // only failed processes, with their ancestry
  bool threads = false;      // thread forks and exits too
  bool verbose = false;      // -v: every failed exec attempt, PATH-search misses too
  size_t max_command_bytes = 0;  // text view: shorten commands past this (a terminal); 0 never
  analysis::TraceScope scope{};  // what was traced: where chains begin
  bool color = false;        // colour outcomes (--color, resolved against the terminal)
  size_t max_depth = 0;      // tree: levels shown below the roots (0: all)
  bool compile_commands_all = false;  // compile-commands: preprocess-only runs and configure's probes too
};

// The ancestors a chain shown to the user holds: from the traced command (or
// the oldest known ancestor of a whole-machine trace) down to the parent.
std::vector<std::shared_ptr<const Process>> shown_ancestry(const Process& process, const analysis::TraceScope& scope);

// Whether `--failed` shows this event: only the exit of a process that failed.
bool shown_when_failed_only(const Event& event);

// A zombie this long is worth a line of its own (text view) and a mark (tree).
constexpr uint64_t kLongZombieNs = 1'000'000'000;

// Whether the text view shows this reap: only a notable one, a zombie for
// kLongZombieNs or more, or one collected by another process than its forker
// (an orphan's subreaper or init; a debugger).
bool reap_worth_showing(const Event& reap, const Process& process);

// The text view's and the tree's container mark: "  container=<12 hex>" where
// a process is in another container than its parent (where a container's
// processes begin; "  container=-" where they leave it), and "  nspid=N",
// its pid inside, there and wherever a PID namespace begins (its first
// process is 1). "" for everything else. `nspid` 0 (or equal to `pid`): none.
std::string container_mark(const Container* own, const Container* parent, uint32_t pid, uint32_t nspid);

// A container as the TUI's details and the HTML report name it: its short ID,
// then what else is known: "b22c5196ea67 (podman)", "0123456789ab (cri-o, pod <uid>)".
std::string container_text(const Container& container);

// The parent and comm a line about `event` names: the event's own, but a
// reap's record names only the reaper, so the reaped process's come from the
// model.
inline uint32_t shown_ppid(const Event& event, const Process& process) {
  return event.kind == EventKind::reap ? process.ppid : event.ppid;
}
inline const std::string& shown_comm(const Event& event, const Process& process) {
  return event.kind == EventKind::reap ? process.comm : event.comm;
}

}  // namespace ft
