#include "analysis/build_report.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "analysis/compiler_step.h"
#include "analysis/rollup.h"
#include "core/errno_label.h"
#include "core/exit_status.h"

namespace ft::analysis {
namespace {

// Children `c` of a process ending at `end` that bound its wall time: walking
// back from its end, the child that ended last, then the one that ended last
// before that child began, and so on; returned in time order.
std::vector<uint32_t> waited_for(const Trace& t, const std::vector<uint32_t>& children, uint64_t end) {
  std::vector<uint32_t> kids = children;
  std::sort(kids.begin(), kids.end(), [&](uint32_t a, uint32_t b) {
    uint64_t ea = t.steps[a].end_ns(t.last_ns), eb = t.steps[b].end_ns(t.last_ns);
    if (ea != eb) return ea > eb;
    return t.steps[a].start_ns < t.steps[b].start_ns;  // of two ending together, the longer
  });
  std::vector<uint32_t> chosen;
  uint64_t until = end;
  for (uint32_t c : kids) {
    const Step& s = t.steps[c];
    if (s.end_ns(t.last_ns) > until) continue;  // overlaps the one chosen after it, or outlived the parent
    chosen.push_back(c);
    until = s.start_ns;
  }
  std::reverse(chosen.begin(), chosen.end());
  return chosen;
}

bool is_shell(const std::string& name) {
  return name == "sh" || name == "bash" || name == "dash" || name == "zsh" || name == "ksh" || name == "busybox";
}

// The command a shell was asked to run: the first word of `sh -c 'WORD ...'`.
std::string shell_command(const Trace& t, const Step& s) {
  ArgvView argv = t.argv(s);
  std::string name(executable_of(t, s));
  if (argv.size() >= 3 && argv[1] == "-c" && is_shell(name)) {
    std::string_view script = argv[2];
    size_t begin = script.find_first_not_of(" \t\n");
    if (begin == std::string_view::npos) return name;
    size_t end = script.find_first_of(" \t\n;&|()<>", begin);
    return std::string(script.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin));
  }
  return name;
}

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_make(std::string_view name) { return name == "make" || name == "gmake" || name == "bmake"; }
bool is_ninja(std::string_view name) { return name == "ninja" || name == "samu"; }

// A build driver told to keep going after a failed job (`make -k`, `ninja -k 0`)
// starts more jobs after it and fails because of it at the end.
bool keeps_going(const Trace& t, const Step& s) {
  std::string_view name = executable_of(t, s);
  bool make = is_make(name), ninja = is_ninja(name);
  if (!make && !ninja) return false;
  ArgvView argv = t.argv(s);
  for (auto it = argv.begin(); it != argv.end(); ++it) {
    std::string_view arg = *it;
    if (arg == "--") break;
    if (arg == "--keep-going") return make;
    if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') continue;
    if (ninja) {
      if (arg.substr(0, 2) != "-k") continue;
      std::string_view count = arg.size() > 2 ? arg.substr(2) : std::next(it) != argv.end() ? *std::next(it) : "";
      return count != "1";  // how many failures to allow; 0 means any number
    }
    // A cluster of make's short options (-kj4): a 'k' before an option that takes a value.
    for (char c : arg.substr(1)) {
      if (c == 'k') return true;
      if (std::string_view("CfIjloW").find(c) != std::string_view::npos) break;
    }
  }
  return false;
}

// The status `parent` ended with is the one `child` ended with, passed on:
// the same exit code, or a shell's 128+N for a child killed by signal N.
bool passes_on(const Step& parent, const Step& child) {
  ExitStatus p = decode_wait_status(parent.wait_status), c = decode_wait_status(child.wait_status);
  if (p.exit_code && c.exit_code) return *p.exit_code == *c.exit_code;
  if (p.exit_code && c.signal) return *p.exit_code == 128 + *c.signal;
  return p.signal && c.signal && *p.signal == *c.signal;
}

}  // namespace

FailureBlame::FailureBlame(const Trace& t)
    : t_(t),
      order_(depth_first(t, kNone)),
      last_start_(t.steps.size(), 0),
      last_failed_(t.steps.size(), kNone),
      keeps_going_(t.steps.size(), false) {
  // `make -k` passes -k on to the makes below it (in MAKEFLAGS, not their argv).
  for (uint32_t i : order_) {
    const Step& s = t.steps[i];
    bool inherited = s.parent != kNone && keeps_going_[s.parent];
    keeps_going_[i] = inherited || keeps_going(t, s);
  }
  for (uint32_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    for (uint32_t c : s.children) {
      const Step& child = t.steps[c];
      if (!child.reparented) last_start_[i] = std::max(last_start_[i], child.start_ns);
      if (!child.failed() || child.exit_ns > s.exit_ns) continue;
      if (last_failed_[i] == kNone || child.exit_ns >= t.steps[last_failed_[i]].exit_ns) last_failed_[i] = c;
    }
    // A build driver with a failed child: its children's spans, to ask what
    // else was running when that child failed.
    if (last_failed_[i] == kNone) continue;
    std::string_view name = executable_of(t, s);
    if (!is_make(name) && !is_ninja(name)) continue;
    std::vector<std::pair<uint64_t, uint64_t>>& spans = driver_jobs_[i];
    for (uint32_t c : s.children) spans.emplace_back(t.steps[c].start_ns, t.steps[c].end_ns(t.last_ns));
    std::sort(spans.begin(), spans.end());
    for (size_t k = 1; k < spans.size(); ++k) spans[k].second = std::max(spans[k].second, spans[k - 1].second);
  }
}

bool FailureBlame::others_running_at(uint32_t driver, uint32_t child) const {
  auto it = driver_jobs_.find(driver);
  if (it == driver_jobs_.end()) return false;
  const auto& spans = it->second;  // by start, each with the latest end so far
  const Step& c = t_.steps[child];
  // The children started by the time it ended; did one of them end later?
  auto upto = std::upper_bound(spans.begin(), spans.end(), std::make_pair(c.exit_ns, UINT64_MAX));
  return upto != spans.begin() && std::prev(upto)->second > c.exit_ns;
}

bool FailureBlame::failed_because_of(uint32_t parent, uint32_t child) const {
  const Step& p = t_.steps[parent];
  const Step& c = t_.steps[child];
  if (!p.failed() || !c.failed() || c.exit_ns > p.exit_ns) return false;
  std::string_view name = executable_of(t_, p);
  bool driver = is_make(name) || is_ninja(name);
  if (driver && keeps_going_[parent]) return true;
  // It started nothing after the child ended: nothing to go on with.
  if (last_start_[parent] <= c.exit_ns) return true;
  // A make -j whose job failed while others ran: it lets them finish, the
  // later lines of their recipes too, and starts no new target. (A
  // $(shell ...) fails at parse time, with no job running.)
  if (driver && others_running_at(parent, child)) return true;
  // It went on, but only to clean up and pass the last failure's status on
  // (`cc ... || { rm -f $tmp; exit $status; }`, depcomp, libtool).
  return child == last_failed_[parent] && passes_on(p, c);
}

namespace {

// Where a make or ninja works: its cwd, moved by each -C DIR in turn.
std::string driver_directory(std::string_view cwd, const std::vector<std::string_view>& argv) {
  std::filesystem::path dir(cwd);
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i], to;
    if (a == "--") break;
    if ((a == "-C" || a == "--directory") && i + 1 < argv.size())
      to = argv[++i];
    else if (a.substr(0, 2) == "-C")
      to = a.substr(2);
    else if (a.substr(0, 12) == "--directory=")
      to = a.substr(12);
    else
      continue;
    dir /= std::filesystem::path(to);  // an absolute DIR replaces it
  }
  std::string out = dir.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

StepPlace step_place(const Trace& t, uint32_t index) {
  const Step& s = t.steps[index];
  StepPlace place;
  std::vector<std::string_view> argv;
  for (std::string_view a : t.argv(s)) argv.push_back(a);
  if (s.cwd) {
    std::string_view name = executable_of(t, s);
    place.cwd = is_make(name) || is_ninja(name) ? driver_directory(t.str(s.cwd), argv) : std::string(t.str(s.cwd));
  }
  CompilerStep step = compiler_step(argv);
  if (step.tool == CompilerTool::none) return place;
  place.toolchain = true;
  place.inputs = std::move(step.inputs);
  place.output = step.output;
  return place;
}

std::string relative_dir(std::string_view dir, std::string_view base) {
  while (base.size() > 1 && base.back() == '/') base.remove_suffix(1);
  if (dir == base) return "";
  if (!base.empty() && dir.size() > base.size() && dir.substr(0, base.size()) == base &&
      (dir[base.size()] == '/' || base == "/")) {
    std::string below(dir.substr(base == "/" ? 1 : base.size() + 1));
    if (below.empty()) return "";
    return below.back() == '/' ? below : below + "/";
  }
  return std::string(dir);
}

// rollup.h's depth_first without the depths: the report walks the whole
// trace this way several times, so it keeps to one vector of indices.
std::vector<uint32_t> depth_first(const Trace& t, uint32_t top) {
  std::vector<uint32_t> order, stack;
  if (top == kNone) {
    order.reserve(t.steps.size());
    stack.assign(t.roots.rbegin(), t.roots.rend());
  } else {
    stack.push_back(top);
  }
  while (!stack.empty()) {
    uint32_t s = stack.back();
    stack.pop_back();
    order.push_back(s);
    const std::vector<uint32_t>& children = t.steps[s].children;
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return order;
}

uint32_t find_root(const Trace& t) {
  if (!t.scope.filtered || t.roots.empty()) return kNone;
  if (!t.scope.followed_pids.empty()) {
    for (uint32_t r : t.roots)
      if (t.steps[r].pid == t.scope.followed_pids.front()) return r;
  }
  return t.roots.front();
}

std::vector<uint32_t> chain_to(const Trace& t, uint32_t step, uint32_t root) {
  std::vector<uint32_t> chain;
  if (step == root) return chain;
  for (uint32_t p = t.steps[step].parent; p != kNone; p = t.steps[p].parent) {
    chain.push_back(p);
    if (p == root) break;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::vector<uint32_t> cause_chain(const Trace& t, uint32_t root) {
  return cause_chain(t, root, FailureBlame(t));
}

std::vector<uint32_t> cause_chain(const Trace& t, uint32_t root, const FailureBlame& blame) {
  if (root == kNone || !t.steps[root].failed()) return {};
  // For each failed step, how deep a chain of failures below it goes, and
  // which of the children it failed because of it came from.
  std::vector<uint32_t> order = depth_first(t, root);
  std::vector<uint32_t> depth(t.steps.size(), 0), from(t.steps.size(), kNone);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Step& s = t.steps[*it];
    if (!s.failed()) continue;
    depth[*it] = 1;
    for (uint32_t c : s.children) {
      if (!blame.failed_because_of(*it, c)) continue;
      const Step& child = t.steps[c];
      // The one that ended last: make stops (or, with -k, ends) after a
      // failing recipe, while earlier failures such as a $(shell ...) at
      // parse time are ones it went on from. Depth breaks ties.
      bool better = from[*it] == kNone || child.exit_ns > t.steps[from[*it]].exit_ns ||
                    (child.exit_ns == t.steps[from[*it]].exit_ns && depth[c] > depth[from[*it]]);
      if (better) from[*it] = c;
    }
    if (from[*it] != kNone) depth[*it] = depth[from[*it]] + 1;
  }
  std::vector<uint32_t> chain;
  for (uint32_t s = root; s != kNone; s = from[s]) chain.push_back(s);
  return chain;
}

std::vector<Failure> find_failures(const Trace& t, uint32_t root) { return find_failures(t, root, FailureBlame(t)); }

std::vector<Failure> find_failures(const Trace& t, uint32_t root, const FailureBlame& blame) {
  // A failure path starts at the traced command, or without one at each
  // failed process whose parent is not in the trace and at each job's root.
  auto path_top = [&](uint32_t s) {
    if (root != kNone) return s == root;
    const Step& step = t.steps[s];
    if (step.parent == kNone || t.steps[step.parent].context) return true;
    return step.job != 0 && t.steps[step.parent].job != step.job;
  };
  std::vector<bool> on_path(t.steps.size(), false);  // the top, or propagated: parents come first
  std::vector<Failure> out;
  for (uint32_t s : blame.order()) {
    const Step& step = t.steps[s];
    if (step.context || !step.failed()) continue;
    Failure f;
    f.step = s;
    if (path_top(s)) {
      on_path[s] = true;
    } else if (step.parent != kNone) {
      f.propagated = on_path[step.parent] && blame.failed_because_of(step.parent, s);
      on_path[s] = f.propagated;
    }
    f.chain = chain_to(t, s, root);
    out.push_back(std::move(f));
  }
  std::stable_sort(out.begin(), out.end(),
                   [&](const Failure& a, const Failure& b) { return t.steps[a.step].exit_ns < t.steps[b.step].exit_ns; });
  return out;
}

FailurePath failure_path(const Trace& t, uint32_t root) {
  FailureBlame blame(t);
  return failure_path(t, find_failures(t, root, blame), cause_chain(t, root, blame));
}

FailurePath failure_path(const Trace& t, const std::vector<Failure>& failures, std::vector<uint32_t> cause) {
  FailurePath path;
  path.leads.assign(t.steps.size(), false);
  // Up from each step on the path until a step already marked: each step once.
  auto mark = [&](uint32_t s) {
    for (; s != kNone && !path.leads[s]; s = t.steps[s].parent) path.leads[s] = true;
  };
  for (uint32_t s : cause) mark(s);
  for (const Failure& f : failures)
    if (f.propagated) mark(f.step);
  path.cause = std::move(cause);
  return path;
}

std::vector<Failure> propagated_first(std::vector<Failure> failures, uint32_t root) {
  std::stable_partition(failures.begin(), failures.end(),
                        [root](const Failure& f) { return f.propagated || (root != kNone && f.step == root); });
  return failures;
}

std::vector<Zombie> find_zombies(const Trace& t, size_t longest) {
  std::vector<Zombie> unreaped, reaped;
  for (uint32_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    if (s.context || !s.exited || s.status_unknown) continue;
    if (s.reaped)
      reaped.push_back(Zombie{i, s.zombie_ns, true});
    else
      unreaped.push_back(Zombie{i, t.last_ns > s.exit_ns ? t.last_ns - s.exit_ns : 0, false});
  }
  std::stable_sort(unreaped.begin(), unreaped.end(),
                   [&](const Zombie& a, const Zombie& b) { return t.steps[a.step].exit_ns < t.steps[b.step].exit_ns; });
  size_t keep = std::min(longest, reaped.size());
  std::partial_sort(reaped.begin(), reaped.begin() + static_cast<std::ptrdiff_t>(keep), reaped.end(),
                    [](const Zombie& a, const Zombie& b) { return a.zombie_ns > b.zombie_ns || (a.zombie_ns == b.zombie_ns && a.step < b.step); });
  unreaped.insert(unreaped.end(), reaped.begin(), reaped.begin() + static_cast<std::ptrdiff_t>(keep));
  return unreaped;
}

std::vector<uint32_t> find_killed(const Trace& t) { return find_killed(t, depth_first(t, kNone)); }

std::vector<uint32_t> find_killed(const Trace& t, const std::vector<uint32_t>& order) {
  std::vector<uint32_t> out;
  for (uint32_t s : order) {
    const Step& step = t.steps[s];
    if (!step.context && step.exited && !step.status_unknown && decode_wait_status(step.wait_status).signal)
      out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [&](uint32_t a, uint32_t b) { return t.steps[a].exit_ns < t.steps[b].exit_ns; });
  return out;
}

std::pair<std::vector<FailureGroup>, std::vector<FailureGroup>> group_failures(const Trace& t,
                                                                               const std::vector<Failure>& failures) {
  std::map<std::tuple<bool, std::string, std::string>, size_t> index;
  std::vector<FailureGroup> groups;
  for (const Failure& f : failures) {
    const Step& s = t.steps[f.step];
    std::string name(executable_of(t, s)), status = describe(decode_wait_status(s.wait_status));
    auto [it, added] = index.try_emplace({f.propagated, name, status}, groups.size());
    if (added) groups.push_back(FailureGroup{name, status, f.propagated, {}});
    groups[it->second].steps.push_back(f.step);
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const FailureGroup& a, const FailureGroup& b) { return a.steps.size() > b.steps.size(); });
  std::pair<std::vector<FailureGroup>, std::vector<FailureGroup>> out;
  for (FailureGroup& g : groups) (g.propagated ? out.first : out.second).push_back(std::move(g));
  return out;
}

std::vector<FailureGroup> by_executable(const Trace& t, std::vector<FailureGroup> groups) {
  std::map<std::pair<bool, std::string>, size_t> index;
  std::vector<FailureGroup> out;
  for (FailureGroup& g : groups) {  // most frequent first: the first of an executable's names the group
    auto [it, added] = index.try_emplace({g.propagated, g.executable}, out.size());
    if (added) {
      out.push_back(std::move(g));
      continue;
    }
    FailureGroup& into = out[it->second];
    into.status += ", " + g.status;
    size_t had = into.steps.size();
    into.steps.insert(into.steps.end(), g.steps.begin(), g.steps.end());
    std::inplace_merge(into.steps.begin(), into.steps.begin() + static_cast<std::ptrdiff_t>(had), into.steps.end(),
                       [&](uint32_t a, uint32_t b) { return t.steps[a].exit_ns < t.steps[b].exit_ns; });
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const FailureGroup& a, const FailureGroup& b) { return a.steps.size() > b.steps.size(); });
  return out;
}

std::vector<NotFound> find_not_found(const Trace& t) {
  std::map<std::pair<std::string, std::string>, size_t> index;
  std::vector<NotFound> out;
  auto note = [&](std::string command, std::string error, uint32_t step) {
    auto [it, added] = index.try_emplace({command, error}, out.size());
    if (added) out.push_back(NotFound{std::move(command), std::move(error), 0, {}});
    NotFound& n = out[it->second];
    if (n.steps.empty() || n.steps.back() != step) {
      n.count++;
      n.steps.push_back(step);
    }
  };
  for (uint32_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    if (s.context) continue;
    if (t.has_exec_failures) {
      // A name is not found when no exec of it succeeded (the model left the
      // misses a later exec satisfied out); its last attempt's error stands for it.
      std::vector<std::pair<std::string_view, const FailedExecStep*>> names;
      for (const FailedExecStep* f = t.failed_execs_begin(s); f != t.failed_execs_end(s); ++f) {
        std::string_view name = basename(t.str(f->filename));
        auto it = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == name; });
        if (it == names.end())
          names.emplace_back(name, f);
        else
          it->second = f;
      }
      for (const auto& [name, f] : names) note(std::string(t.str(f->command)), errno_label(f->error), i);
    } else if (s.failed()) {
      // Without exec failures in the trace, a shell's 127 is "command not
      // found"; only the innermost one, not the shells that passed it on.
      ExitStatus status = decode_wait_status(s.wait_status);
      if (status.exit_code != 127) continue;
      bool inner = std::none_of(s.children.begin(), s.children.end(), [&](uint32_t c) {
        return decode_wait_status(t.steps[c].wait_status).exit_code == 127 && t.steps[c].exited;
      });
      if (inner) note(shell_command(t, s), "exit 127", i);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const NotFound& a, const NotFound& b) { return a.count > b.count; });
  return out;
}

void mark_failure_path(std::vector<NotFound>& not_found, const std::vector<Failure>& failures, uint32_t root) {
  std::unordered_set<uint32_t> on_path;
  if (root != kNone) on_path.insert(root);
  for (const Failure& f : failures)
    if (f.propagated) on_path.insert(f.step);
  for (NotFound& n : not_found)
    n.propagated = std::any_of(n.steps.begin(), n.steps.end(), [&](uint32_t s) { return on_path.count(s) > 0; });
  std::stable_sort(not_found.begin(), not_found.end(),
                   [](const NotFound& a, const NotFound& b) { return a.propagated > b.propagated; });
}

std::vector<uint32_t> critical_path(const Trace& t, uint32_t root) {
  std::vector<uint32_t> path;
  std::vector<uint32_t> stack;
  auto push = [&](const std::vector<uint32_t>& chosen) {
    for (auto it = chosen.rbegin(); it != chosen.rend(); ++it) stack.push_back(*it);
  };
  if (root == kNone)
    push(waited_for(t, t.roots, t.last_ns));
  else
    stack.push_back(root);
  while (!stack.empty()) {
    uint32_t s = stack.back();
    stack.pop_back();
    path.push_back(s);
    const Step& step = t.steps[s];
    push(waited_for(t, step.children, step.end_ns(t.last_ns)));
  }
  return path;
}

std::vector<CriticalPathRow> critical_path_rows(const Trace& t, const std::vector<uint32_t>& path,
                                                double fold_under) {
  std::vector<CriticalPathRow> rows;
  if (path.empty()) return rows;
  auto took = [&](uint32_t s) { return t.steps[s].end_ns(t.last_ns) - t.steps[s].start_ns; };
  const uint64_t origin = t.steps[path.front()].start_ns;
  const std::unordered_set<uint32_t> on_path(path.begin(), path.end());
  uint64_t whole = 0;  // from the first step's start to the last top step's end
  for (uint32_t s : path)
    if (!on_path.count(t.steps[s].parent)) whole = std::max(whole, t.steps[s].end_ns(t.last_ns) - origin);
  const auto shown_from = static_cast<uint64_t>(static_cast<double>(whole) * fold_under);
  std::unordered_map<uint32_t, size_t> depth;  // of the steps seen, below the path's top
  std::unordered_set<uint32_t> folded;         // steps folded, or beneath one that was
  size_t open = SIZE_MAX;                      // the folded row being filled
  for (uint32_t s : path) {
    const Step& step = t.steps[s];
    auto parent = depth.find(step.parent);
    size_t d = parent == depth.end() ? 0 : parent->second + 1;
    depth[s] = d;
    bool parent_folded = parent != depth.end() && folded.count(step.parent);
    if (parent_folded || took(s) < shown_from) {
      folded.insert(s);
      if (parent_folded) continue;  // inside a step already counted
      if (open == SIZE_MAX || rows[open].depth != d) {
        open = rows.size();
        rows.push_back(CriticalPathRow{s, d, step.start_ns, 0, 0});
      }
      rows[open].folded++;
      rows[open].took_ns += took(s);
      continue;
    }
    rows.push_back(CriticalPathRow{s, d, step.start_ns, took(s), 0});
    open = SIZE_MAX;
  }
  return rows;
}

std::vector<uint32_t> slowest_steps(const Trace& t, size_t n) {
  std::vector<uint32_t> leaves;
  for (uint32_t i = 0; i < t.steps.size(); ++i)
    if (!t.steps[i].context && t.steps[i].exited && t.steps[i].children.empty()) leaves.push_back(i);
  auto longer = [&](uint32_t a, uint32_t b) {
    uint64_t da = t.steps[a].duration_ns(), db = t.steps[b].duration_ns();
    return da != db ? da > db : a < b;
  };
  n = std::min(n, leaves.size());
  std::partial_sort(leaves.begin(), leaves.begin() + static_cast<std::ptrdiff_t>(n), leaves.end(), longer);
  leaves.resize(n);
  return leaves;
}

std::vector<ExecutableStats> per_executable(const Trace& t) {
  std::unordered_map<std::string_view, size_t> index;  // views into the trace's pool
  std::vector<ExecutableStats> out;
  std::vector<std::vector<std::pair<uint64_t, uint64_t>>> runs;
  for (const Step& s : t.steps) {
    if (s.context) continue;
    auto [it, added] = index.try_emplace(executable_of(t, s), out.size());
    if (added) {
      out.push_back(ExecutableStats{std::string(it->first)});
      runs.emplace_back();
    }
    ExecutableStats& x = out[it->second];
    x.runs++;
    if (s.failed()) x.failed++;
    if (s.usage) {
      x.with_usage++;
      x.cpu_ns += s.usage->cpu_ns();
      x.max_rss_kb = std::max(x.max_rss_kb, s.usage->peak_rss_kb());
    }
    uint64_t end = s.end_ns(t.last_ns);
    x.max_ns = std::max(x.max_ns, end - s.start_ns);
    runs[it->second].emplace_back(s.start_ns, end);
  }
  // Wall time as the union of its runs, so nested and parallel runs count once.
  for (size_t i = 0; i < out.size(); ++i) {
    auto& r = runs[i];
    std::sort(r.begin(), r.end());
    uint64_t total = 0, begin = 0, end = 0;
    bool open = false;
    for (auto [b, e] : r) {
      if (!open || b > end) {
        if (open) total += end - begin;
        begin = b;
        end = e;
        open = true;
      } else {
        end = std::max(end, e);
      }
    }
    if (open) total += end - begin;
    out[i].wall_ns = total;
  }
  std::stable_sort(out.begin(), out.end(), [](const ExecutableStats& a, const ExecutableStats& b) {
    if (a.cpu_ns != b.cpu_ns) return a.cpu_ns > b.cpu_ns;
    if (a.wall_ns != b.wall_ns) return a.wall_ns > b.wall_ns;
    return a.runs > b.runs;
  });
  return out;
}

void Totals::add(const Totals& o) {
  processes += o.processes;
  failed += o.failed;
  cpu_ns += o.cpu_ns;
  with_usage += o.with_usage;
  max_rss_kb = std::max(max_rss_kb, o.max_rss_kb);
}

std::vector<Totals> subtree_totals(const Trace& t) { return subtree_totals(t, depth_first(t, kNone)); }

std::vector<Totals> subtree_totals(const Trace& t, const std::vector<uint32_t>& order) {
  return roll_up<Totals>(
      t.steps.size(), order, kNone, [&t](size_t s) { return t.steps[s].parent; },
      [&t](size_t i, Totals& x) {
        const Step& s = t.steps[i];
        if (s.context) return;
        x.processes++;
        if (s.failed()) x.failed++;
        if (s.usage) {
          x.with_usage++;
          x.cpu_ns += s.usage->cpu_ns();
          x.max_rss_kb = std::max(x.max_rss_kb, s.usage->peak_rss_kb());
        }
      },
      [](Totals& up, const Totals& x) { up.add(x); });
}

BuildReport analyze_build(const Trace& t, const ReportOptions& options) {
  BuildReport r;
  r.root = find_root(t);
  r.has_usage = t.has_usage;
  r.lost = t.lost;
  FailureBlame blame(t);
  std::vector<Totals> totals = subtree_totals(t, blame.order());
  if (r.root != kNone) {
    r.totals = totals[r.root];
    const Step& root = t.steps[r.root];
    r.wall_ns = root.end_ns(t.last_ns) - root.start_ns;
    r.subtrees.push_back(Subtree{r.root, std::string(t.str(root.job)), totals[r.root]});
  } else {
    for (uint32_t top : t.roots) r.totals.add(totals[top]);
    r.wall_ns = t.wall_ns();
  }
  for (uint32_t i = 0; i < t.steps.size(); ++i) {
    const Step& s = t.steps[i];
    bool job_root = s.job != 0 && (s.parent == kNone || t.steps[s.parent].job != s.job);
    if (job_root && i != r.root) r.subtrees.push_back(Subtree{i, std::string(t.str(s.job)), totals[i]});
  }
  r.cause = cause_chain(t, r.root, blame);
  r.failures = find_failures(t, r.root, blame);
  std::tie(r.propagated, r.handled) = group_failures(t, r.failures);
  r.not_found = find_not_found(t);
  mark_failure_path(r.not_found, r.failures, r.root);
  if (t.scope.knows_killers) r.killed = find_killed(t, blame.order());
  if (t.scope.knows_reaps) r.zombies = find_zombies(t, options.longest_zombies);
  r.critical_path = critical_path(t, r.root);
  r.slowest = slowest_steps(t, options.slowest);
  r.executables = per_executable(t);
  r.containers = per_container(t);
  return r;
}

}  // namespace ft::analysis
