#include "views/report_json.h"

#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/json_line.h"

namespace ft {
namespace {

using Json = nlohmann::ordered_json;
using namespace analysis;

Json optional_usage(const Totals& t, uint64_t value) { return t.with_usage ? Json(value) : Json(nullptr); }

Json totals_to_json(const Totals& t) {
  Json j;
  j["processes"] = t.processes;
  j["failed"] = t.failed;
  j["cpu_ns"] = optional_usage(t, t.cpu_ns);
  j["max_rss_kb"] = optional_usage(t, t.max_rss_kb);
  return j;
}

Json steps_to_json(const Trace& t, const std::vector<uint32_t>& steps) {
  Json j = Json::array();
  for (uint32_t s : steps) j.push_back(step_to_json(t, s));
  return j;
}

Json pids(const Trace& t, const std::vector<uint32_t>& steps) {
  Json j = Json::array();
  for (uint32_t s : steps) j.push_back(t.steps[s].pid);
  return j;
}

}  // namespace

std::string dump_json(const Json& j, int indent) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }

Json step_to_json(const Trace& t, uint32_t index) {
  const Step& s = t.steps[index];
  Json j;
  j["pid"] = s.pid;
  j["argv"] = t.argv(s).strings();
  if (s.argv_truncated) j["argv_truncated"] = true;
  j["executable"] = std::string(executable_of(t, s));
  if (s.exited && !s.status_unknown) {
    ExitStatus status = decode_wait_status(s.wait_status);
    if (status.exit_code) j["exit_code"] = *status.exit_code;
    if (status.signal) j["signal"] = *status.signal;
    if (status.core_dumped) j["core_dumped"] = true;
    j["status"] = describe(status, s.killed_by);
    if (s.killed_by) j["killed_by"] = Json::parse(killed_by_json(*s.killed_by));
  } else {
    j["status"] = s.exited ? "unknown" : "running";
  }
  j["start_ns"] = static_cast<int64_t>(s.start_ns) + t.scope.realtime_offset_ns;
  j["duration_ns"] = s.exited ? s.duration_ns() : s.end_ns(t.last_ns) - s.start_ns;
  j["cpu_ns"] = s.usage ? Json(s.usage->cpu_ns()) : Json(nullptr);
  if (s.usage) j["max_rss_kb"] = s.usage->max_rss_kb;
  if (s.usage && s.usage->program_max_rss_kb) j["program_max_rss_kb"] = *s.usage->program_max_rss_kb;
  if (s.job) j["job"] = std::string(t.str(s.job));
  StepPlace place = step_place(t, index);
  if (!place.cwd.empty()) j["cwd"] = place.cwd;
  if (place.toolchain) {
    Json inputs = Json::array();
    for (std::string_view i : place.inputs) inputs.push_back(i);
    j["inputs"] = std::move(inputs);
    if (!place.output.empty()) j["output"] = place.output;
  }
  if (s.recovered) j["recovered"] = true;
  if (s.forker_unknown) j["forker_unknown"] = true;
  if (s.container) j["container"] = Json::parse(container_json(*s.container));
  if (s.nspid && s.nspid != s.pid) j["nspid"] = s.nspid;
  return j;
}

Json report_to_json(const Trace& t, const BuildReport& r) {
  Json j;
  if (r.root != kNone) {
    j["root"] = step_to_json(t, r.root);
    j["root"]["subtree"] = totals_to_json(r.totals);
  } else {
    j["root"] = nullptr;
  }
  j["cause"] = steps_to_json(t, r.cause);
  Json failures = Json::array();
  for (const Failure& f : r.failures) {
    Json x = step_to_json(t, f.step);
    x["chain"] = pids(t, f.chain);
    x["propagated"] = f.propagated;
    failures.push_back(std::move(x));
  }
  j["failures"] = std::move(failures);
  Json not_found = Json::array();
  for (const NotFound& n : r.not_found)
    not_found.push_back(Json{{"command", n.command}, {"error", n.error}, {"count", n.count}, {"pids", pids(t, n.steps)},
                              {"propagated", n.propagated}});
  j["not_found"] = std::move(not_found);
  j["critical_path"] = steps_to_json(t, r.critical_path);
  // Who killed each process a signal killed (its killed_by, where forktrace saw the signal sent).
  if (t.scope.knows_killers) j["killed"] = steps_to_json(t, r.killed);
  // Who stayed a zombie longest, and who was never reaped (where the trace reports reaps).
  if (t.scope.knows_reaps) {
    Json zombies = Json::array();
    for (const Zombie& z : r.zombies) {
      const Step& s = t.steps[z.step];
      zombies.push_back(Json{{"pid", s.pid}, {"argv", t.argv(s).strings()}, {"parent_pid", s.ppid},
                             {"zombie_ns", z.zombie_ns}, {"reaped", z.reaped}});
    }
    j["zombies"] = std::move(zombies);
  }
  Json executables = Json::array();
  for (const ExecutableStats& x : r.executables) {
    Json e;
    e["name"] = x.name;
    e["runs"] = x.runs;
    e["failed"] = x.failed;
    e["cpu_ns"] = x.with_usage ? Json(x.cpu_ns) : Json(nullptr);
    e["max_rss_kb"] = x.with_usage ? Json(x.max_rss_kb) : Json(nullptr);
    e["wall_ns"] = x.wall_ns;
    e["max_ns"] = x.max_ns;
    executables.push_back(std::move(e));
  }
  j["executables"] = std::move(executables);
  // Beyond the contract.
  j["wall_ns"] = r.wall_ns;
  j["processes"] = totals_to_json(r.totals);
  j["has_usage"] = r.has_usage;
  j["lost_events"] = r.lost;
  if (Uncertain u = uncertain_in(t); u.total())
    j["uncertain"] = Json{{"recovered", u.recovered}, {"status_unknown", u.status_unknown},
                          {"forker_unknown", u.forker_unknown}};
  if (t.gap_count) {
    Json gaps = Json::array();
    for (const Gap& g : t.gaps)
      gaps.push_back(Json{{"ts_ns", static_cast<int64_t>(g.ts_ns) + t.scope.realtime_offset_ns}, {"lost", g.lost}});
    j["gaps"] = std::move(gaps);
    j["gap_count"] = t.gap_count;
  }
  Json groups = Json::array();
  for (const auto* list : {&r.propagated, &r.handled})
    for (const FailureGroup& g : *list)
      groups.push_back(Json{{"executable", g.executable}, {"status", g.status}, {"propagated", g.propagated},
                            {"count", g.steps.size()}, {"pids", pids(t, g.steps)}});
  j["failure_groups"] = std::move(groups);
  j["slowest"] = steps_to_json(t, r.slowest);
  Json subtrees = Json::array();
  for (const Subtree& s : r.subtrees) {
    Json x = step_to_json(t, s.step);
    if (!s.job.empty()) x["job"] = s.job;
    x["subtree"] = totals_to_json(s.totals);
    subtrees.push_back(std::move(x));
  }
  j["subtrees"] = std::move(subtrees);
  // Per container, only where the trace has container processes.
  if (!r.containers.empty()) {
    Json containers = Json::array();
    for (const ContainerStats& c : r.containers) {
      Json x = Json::parse(container_json(*c.container));
      x["processes"] = c.processes;
      x["failed"] = c.failed;
      x["running"] = c.running;
      x["cpu_ns"] = c.with_usage ? Json(c.cpu_ns) : Json(nullptr);
      x["start_ns"] = static_cast<int64_t>(c.first_ns) + t.scope.realtime_offset_ns;
      x["wall_ns"] = c.wall_ns();
      x["init_pid"] = t.steps[c.init_step].pid;
      containers.push_back(std::move(x));
    }
    j["containers"] = std::move(containers);
  }
  return j;
}

Json diff_to_json(const Trace& base, const Trace& next, const Difference& d) {
  auto pair_json = [&](const StepPair& p) {
    Json x;
    x["base"] = p.base == kNone ? Json(nullptr) : step_to_json(base, p.base);
    x["new"] = p.next == kNone ? Json(nullptr) : step_to_json(next, p.next);
    return x;
  };
  auto with_size = [](const Trace& t, uint32_t s) {
    Json x = step_to_json(t, s);
    x["processes"] = depth_first(t, s).size();
    return x;
  };
  Json j;
  Json added = Json::array(), removed = Json::array();
  for (uint32_t s : d.added) added.push_back(with_size(next, s));
  for (uint32_t s : d.removed) removed.push_back(with_size(base, s));
  j["added"] = std::move(added);
  j["removed"] = std::move(removed);
  Json changed = Json::array(), new_failures = Json::array(), fixed = Json::array(), slower = Json::array();
  for (const StepPair& p : d.changed) changed.push_back(pair_json(p));
  for (const StepPair& p : d.new_failures) new_failures.push_back(pair_json(p));
  for (const StepPair& p : d.fixed) fixed.push_back(pair_json(p));
  for (const SlowerStep& s : d.slower) {
    Json x = pair_json(s.steps);
    x["base_duration_ns"] = s.base_ns;
    x["new_duration_ns"] = s.next_ns;
    x["cpu_change_ns"] = s.cpu_change_ns ? Json(*s.cpu_change_ns) : Json(nullptr);
    slower.push_back(std::move(x));
  }
  j["changed"] = std::move(changed);
  j["new_failures"] = std::move(new_failures);
  j["fixed"] = std::move(fixed);
  j["slower"] = std::move(slower);
  j["matched"] = d.matched;
  j["base_wall_ns"] = d.base_wall_ns;
  j["new_wall_ns"] = d.next_wall_ns;
  return j;
}

}  // namespace ft
