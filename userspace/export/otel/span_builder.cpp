#include "export/otel/span_builder.h"

#include <algorithm>

#include "core/errno_label.h"
#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/text.h"

namespace ft::otel {
namespace {

void add_creds(const Process& p, std::vector<Attribute>& out) {
  if (!p.has_creds) return;
  out.push_back({"process.user.id", static_cast<int64_t>(p.euid)});
  out.push_back({"process.real_user.id", static_cast<int64_t>(p.uid)});
  out.push_back({"process.group.id", static_cast<int64_t>(p.egid)});
  out.push_back({"process.real_group.id", static_cast<int64_t>(p.gid)});
}

void add_usage(const Process& p, std::vector<Attribute>& out) {
  if (!p.usage) return;
  const ResourceUsage& u = *p.usage;
  auto add = [&](const char* key, uint64_t v) { out.push_back({key, static_cast<int64_t>(v)}); };
  add("forktrace.process.cpu.user_ns", u.cpu_user_ns);
  add("forktrace.process.cpu.system_ns", u.cpu_sys_ns);
  add("forktrace.process.max_rss_kb", u.max_rss_kb);
  if (u.program_max_rss_kb) add("forktrace.process.program_max_rss_kb", *u.program_max_rss_kb);
  add("forktrace.process.minor_faults", u.minor_faults);
  add("forktrace.process.major_faults", u.major_faults);
  add("forktrace.process.voluntary_switches", u.voluntary_switches);
  add("forktrace.process.involuntary_switches", u.involuntary_switches);
  add("forktrace.process.read_bytes", u.read_bytes);
  add("forktrace.process.write_bytes", u.write_bytes);
}

std::vector<std::string> utf8_all(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  out.reserve(in.size());
  for (const std::string& s : in) out.push_back(to_utf8(s));
  return out;
}

const std::string* env_value(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& entry : env)
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=')
      return &entry;
  return nullptr;
}

std::string env_value_of(const std::vector<std::string>& env, std::string_view name) {
  const std::string* entry = env_value(env, name);
  return entry ? entry->substr(name.size() + 1) : std::string();
}

// TRACESTATE is passed on as given where it is plausible (printable ASCII,
// bounded), else dropped: it is opaque to forktrace.
std::string sane_trace_state(const std::string& value) {
  if (value.size() > kMaxTraceStateBytes) return "";
  for (unsigned char c : value)
    if (c < 0x20 || c > 0x7e) return "";
  return value;
}

std::string span_name(const Process& p) {
  std::string name = p.filename.empty() ? p.comm : basename_of(p.filename);
  return to_utf8(name.empty() ? std::to_string(p.pid) : name);
}

}  // namespace

std::string to_utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && n > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      uint32_t cp = c & (0x7f >> n);
      for (size_t k = 1; k < n; ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3f);
      static constexpr uint32_t min_of[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= min_of[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    }
    if (ok) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      i += 1;
    }
  }
  return out;
}

Resource make_resource(const SpanConfig& c) {
  Resource r;
  r.attributes.push_back({"service.name", std::string("forktrace")});
  if (!c.version.empty()) r.attributes.push_back({"service.version", c.version});
  r.attributes.push_back({"host.name", to_utf8(c.host_name)});
  r.attributes.push_back({"os.type", std::string("linux")});
  if (!c.boot_id.empty()) r.attributes.push_back({"forktrace.boot.id", to_utf8(c.boot_id)});
  return r;
}

Scope make_scope(const SpanConfig& c) {
  Scope s;
  s.version = c.version;
  return s;
}

SpanBuilder::SpanBuilder(SpanConfig config, Emit emit) : config_(std::move(config)), emit_(std::move(emit)) {}

SpanBuilder::Open& SpanBuilder::open_for(const Process& p) {
  if (auto it = open_.find(&p); it != open_.end()) return it->second;
  Open o;
  o.process = p.shared_from_this();
  o.span = span_id_of(config_.boot_id, p.pid, p.start_ns);
  const Process* forker = p.parent.get();
  Open* parent = nullptr;
  if (forker) {
    if (auto it = open_.find(forker); it != open_.end()) parent = &it->second;
    // -p PID: the followed process was running before tracing, so its first
    // child is the first sign of it; its span starts the trace then.
    // (unordered_map references survive the insertion.)
    if (!parent && config_.scope == TraceScope::pids && !p.seeded && forker->seeded) parent = &open_for(*forker);
  }
  if (parent) {
    o.trace = parent->trace;
    o.parent = parent->span;
    o.trace_state = parent->trace_state;
    o.job = parent->job;
  } else {
    o.root = true;
    o.trace = trace_id_of(config_.boot_id, p.pid, p.start_ns);
  }
  if (!p.job.empty() && p.job != o.job) {
    // Its fork was not seen, but it is in a job its forker is not in.
    o.job = p.job;
    o.root = true;
    o.trace = trace_id_of_job(p.job);
    o.parent = SpanId{};
    o.trace_state.clear();
  }
  return open_.emplace(&p, std::move(o)).first->second;
}

void SpanBuilder::add_event(Open& o, SpanEvent ev) {
  if (o.events.size() < kMaxExecEvents)
    o.events.push_back(std::move(ev));
  else
    o.dropped_events++;
}

// Every failed attempt, as JSON keeps them: the span says what was tried and why it failed.
void SpanBuilder::on_exec_failed(Open& o, const Event& e) {
  SpanEvent ev;
  ev.time_unix_ns = wall(e.ts_ns);
  ev.name = "exec_failed";
  ev.attributes.push_back({"process.executable.path", to_utf8(e.filename)});
  ev.attributes.push_back({"error.type", errno_label(e.exec_errno)});
  if (!e.argv.empty()) ev.attributes.push_back({"process.command_args", utf8_all(e.argv)});
  if (!e.cwd.empty()) ev.attributes.push_back({"process.working_directory", to_utf8(e.cwd)});
  add_event(o, std::move(ev));
}

void SpanBuilder::on_exec(Open& o, const Event& e, const Process& p) {
  SpanEvent ev;
  ev.time_unix_ns = wall(e.ts_ns);
  ev.name = "exec";
  ev.attributes.push_back({"process.executable.path", to_utf8(e.filename)});
  if (!e.argv.empty()) ev.attributes.push_back({"process.command_args", utf8_all(e.argv)});
  if (e.argv_truncated) ev.attributes.push_back({"forktrace.process.command_args_truncated", true});
  if (!e.exe.empty()) ev.attributes.push_back({"forktrace.process.exe", to_utf8(e.exe)});
  if (!e.cwd.empty()) ev.attributes.push_back({"process.working_directory", to_utf8(e.cwd)});
  add_event(o, std::move(ev));

  // The exec that starts a job moves the process into the job's trace.
  std::optional<TraceParent> tp;
  if (const std::string* entry = env_value(e.env, kTraceParentEnv))
    tp = parse_traceparent(std::string_view(*entry).substr(sizeof "TRACEPARENT"));
  bool new_job = !p.job.empty() && p.job != o.job;
  if (new_job) {
    o.job = p.job;
    o.root = true;
    o.context_adopted = false;
    o.trace = trace_id_of_job(p.job);
    o.parent = SpanId{};
    o.trace_state.clear();
  }
  if (tp && o.root && !o.context_adopted) {
    o.trace = tp->trace_id;
    o.parent = tp->span_id;
    o.trace_state = sane_trace_state(env_value_of(e.env, kTraceStateEnv));
    o.context_adopted = true;
  }
}

void SpanBuilder::on_event(const Event& e, const Process& p) {
  last_ts_ns_ = std::max(last_ts_ns_, e.ts_ns);
  if (e.thread || e.kind == EventKind::reap) return;  // a span ends at the exit; the reap is after it
  Open& o = open_for(p);
  if (!e.cgroup.empty()) o.cgroup = e.cgroup;
  if (e.kind == EventKind::exec) {
    on_exec(o, e, p);
  } else if (e.kind == EventKind::exec_failed) {
    on_exec_failed(o, e);
  } else if (e.kind == EventKind::exit) {
    end(o, p, false);
    open_.erase(&p);
  }
}

void SpanBuilder::on_lost(const Event& e) { last_ts_ns_ = std::max(last_ts_ns_, e.ts_ns); }

void SpanBuilder::end(Open& o, const Process& p, bool running) {
  Span s;
  s.trace_id = o.trace;
  s.span_id = o.span;
  s.parent_span_id = o.parent;
  s.trace_state = o.trace_state;
  s.name = span_name(p);
  s.start_unix_ns = wall(p.start_ns);
  s.end_unix_ns = std::max(s.start_unix_ns, wall(running ? last_ts_ns_ : p.exit_ns));
  auto& a = s.attributes;
  a.push_back({"process.pid", static_cast<int64_t>(p.pid)});
  if (p.forked_by) a.push_back({"process.parent_pid", static_cast<int64_t>(p.forked_by)});
  std::string name = p.filename.empty() ? p.comm : basename_of(p.filename);
  a.push_back({"process.executable.name", to_utf8(name)});
  if (!p.exe.empty())
    a.push_back({"process.executable.path", to_utf8(p.exe)});
  else if (!p.filename.empty())
    a.push_back({"process.executable.path", to_utf8(p.filename)});
  if (!p.argv.empty()) a.push_back({"process.command_args", utf8_all(p.argv)});
  if (p.argv_truncated) a.push_back({"forktrace.process.command_args_truncated", true});
  if (!p.cwd.empty()) a.push_back({"process.working_directory", to_utf8(p.cwd)});
  if (!p.interpreter.empty()) a.push_back({"forktrace.process.interpreter", to_utf8(p.interpreter)});
  add_creds(p, a);
  if (!p.job.empty()) a.push_back({"cicd.pipeline.run.id", to_utf8(p.job)});
  if (!o.cgroup.empty()) a.push_back({"process.linux.cgroup", to_utf8(o.cgroup)});
  // The container, as semantic conventions name it; on the span, not the
  // resource: one export's resource is the traced host, its spans many containers.
  if (const Container* c = p.container.get()) {
    a.push_back({"container.id", to_utf8(c->id)});
    if (!c->runtime.empty()) a.push_back({"container.runtime", to_utf8(c->runtime)});
    if (!c->pod_uid.empty()) a.push_back({"k8s.pod.uid", to_utf8(c->pod_uid)});
  }
  if (p.nspid && p.nspid != p.pid) a.push_back({"process.vpid", static_cast<int64_t>(p.nspid)});
  a.push_back({"forktrace.process.comm", to_utf8(p.comm)});
  if (p.reparented) {
    a.push_back({"forktrace.process.reparented", true});
    a.push_back({"forktrace.process.reaper_pid", static_cast<int64_t>(p.ppid)});
  }
  if (p.seeded) a.push_back({"forktrace.process.started_before_trace", true});
  if (running) {
    a.push_back({"forktrace.process.running", true});
  } else {
    ExitStatus st = decode_wait_status(p.wait_status);
    if (st.exit_code) a.push_back({"process.exit.code", static_cast<int64_t>(*st.exit_code)});
    if (st.signal) {
      a.push_back({"forktrace.process.signal", static_cast<int64_t>(*st.signal)});
      a.push_back({"forktrace.process.signal_name", signal_name(*st.signal)});
      a.push_back({"forktrace.process.core_dumped", st.core_dumped});
    }
    if (const KilledBy* k = p.killed_by.get()) {
      // Who or what sent the signal: "process", "oom", "fault"... (the JSON's killed_by)
      a.push_back({"forktrace.process.killed_by", std::string(kill_source_name(k->source))});
      if (k->source == KillSource::process) {
        a.push_back({"forktrace.process.killed_by.pid", static_cast<int64_t>(k->pid)});
        a.push_back({"forktrace.process.killed_by.comm", to_utf8(k->comm)});
      }
      if (!k->oom_cgroup.empty()) a.push_back({"forktrace.process.killed_by.oom_cgroup", to_utf8(k->oom_cgroup)});
    }
    if (st.failed()) {
      s.status = StatusCode::error;
      s.status_message = describe(st, p.killed_by.get());
    }
    add_usage(p, a);
  }
  s.events = std::move(o.events);
  s.dropped_events = o.dropped_events;
  emit_(std::move(s), o.root);
}

void SpanBuilder::finish() {
  std::vector<Open*> running;
  running.reserve(open_.size());
  for (auto& [key, o] : open_) running.push_back(&o);
  std::sort(running.begin(), running.end(), [](const Open* a, const Open* b) {
    if (a->process->start_ns != b->process->start_ns) return a->process->start_ns < b->process->start_ns;
    return a->process->pid < b->process->pid;
  });
  for (Open* o : running) end(*o, *o->process, true);
  open_.clear();
}

}  // namespace ft::otel
