#include "views/html_report.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include <zlib.h>

#include "core/exit_status.h"
#include "views/format.h"
#include "views/summary_view.h"

namespace ft {
namespace html_assets {
// Generated from views/html/ by cmake/embed_text.cmake.
extern const std::string_view kTemplate, kStyle, kScript;
}  // namespace html_assets

namespace {

enum Outcome { kOk = 0, kFailed = 1, kSignaled = 2, kRunning = 3, kUnknown = 4 };

int64_t cpu_ns_of(const Process& p) { return p.usage ? static_cast<int64_t>(p.usage->cpu_ns()) : -1; }

int64_t max_rss_kb_of(const Process& p) { return p.usage ? static_cast<int64_t>(p.usage->max_rss_kb) : -1; }

Outcome outcome_of(const Process& p) {
  if (!p.exited) return kRunning;
  if (p.status_unknown) return kUnknown;
  ExitStatus s = decode_wait_status(p.wait_status);
  if (s.signal) return kSignaled;
  return s.failed() ? kFailed : kOk;
}

std::string status_text(const Process& p) {
  switch (outcome_of(p)) {
    case kRunning: return "running";
    case kUnknown: return "status unknown";
    default: return describe(decode_wait_status(p.wait_status));
  }
}

bool failed(const Process& p) {
  Outcome o = outcome_of(p);
  return o == kFailed || o == kSignaled;
}

// Strings that repeat (statuses, paths, names) are written once.
class StringTable {
 public:
  StringTable() { index(""); }
  int64_t index(const std::string& s) {
    auto [it, added] = ids_.try_emplace(s, static_cast<int64_t>(ids_.size()));
    if (added) table_.push_back(s);
    return it->second;
  }
  OrderedJson take() { return std::move(table_); }

 private:
  std::unordered_map<std::string, int64_t> ids_;
  OrderedJson table_ = OrderedJson::array();
};

OrderedJson process_object(const Process& p) {
  OrderedJson o = {{"pid", p.pid}, {"argv", p.argv}};
  ExitStatus s = decode_wait_status(p.wait_status);
  if (p.exited && !p.status_unknown) {
    if (s.signal) o["signal"] = *s.signal;
    else o["exit_code"] = s.exit_code.value_or(0);
  }
  o["duration_ns"] = p.duration_ns();
  if (int64_t cpu = cpu_ns_of(p); cpu >= 0) o["cpu_ns"] = cpu;
  return o;
}

}  // namespace

void append_for_script(std::string& out, std::string_view json) {
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    // These characters occur only inside JSON strings, where \u escapes mean
    // the same characters to JSON.parse.
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xe2' && i + 2 < json.size() && json[i + 1] == '\x80' && (json[i + 2] == '\xa8' || json[i + 2] == '\xa9')) {
      out += json[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
}

std::string json_for_script(const OrderedJson& data) {
  std::string out;
  append_for_script(out, data.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
  return out;
}

namespace {

// One column of the process table, written as JSON text as it grows: a tree
// of JSON values for 100k processes' argv would cost several times the text.
class Column {
 public:
  void add(int64_t value) { next() += std::to_string(value); }
  void add_json(const OrderedJson& value) {
    append_for_script(next(), value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
  }
  bool empty() const { return text_.empty(); }
  // Appends `"name":[...]` to `out` and frees the column.
  void move_to(std::string& out, const char* name) {
    out += '"';
    out += name;
    out += "\":[";
    out += text_;
    out += ']';
    std::string().swap(text_);
  }

 private:
  std::string& next() {
    if (any_) text_ += ',';
    any_ = true;
    return text_;
  }
  std::string text_;
  bool any_ = false;
};

bool add_exec_detail_columns(std::map<std::string, Column>& extra, const Process& p, StringTable& strings) {
  extra["cwd"].add(strings.index(p.cwd));
  extra["exe"].add(strings.index(p.exe));
  extra["uid"].add(p.uid);
  extra["euid"].add(p.euid);
  extra["gid"].add(p.gid);
  return p.has_creds || !p.cwd.empty();
}

}  // namespace

std::string html_report_json(const ProcessForest& forest, const HtmlTraceInfo& info, const OrderedJson& report) {
  const auto& nodes = forest.nodes();
  std::vector<bool> failed_subtree = info.failed_only ? forest.failed_subtrees() : std::vector<bool>();
  std::vector<int64_t> row_of(nodes.size(), -1);
  StringTable strings;
  Column pid, ppid, parent_row, start, end, outcome, status, comm, exe_name, filename, argv;
  Column truncated, recovered, jobs, cpu, rss;
  std::map<std::string, Column> exec_detail;
  bool any_truncated = false, any_recovered = false, any_job = false, any_usage = false, any_exec_detail = false;
  auto us_since_first = [&](uint64_t boot_ns) {
    return static_cast<int64_t>((std::max(boot_ns, info.first_ns) - info.first_ns) / 1000);
  };
  int64_t rows = 0;
  for (auto [index, depth] : forest.depth_first()) {
    if (info.failed_only && !failed_subtree[index]) continue;
    const Process& p = *nodes[index].process;
    row_of[index] = rows++;
    size_t parent = nodes[index].parent;
    pid.add(p.pid);
    ppid.add(p.forked_by ? p.forked_by : p.ppid);
    parent_row.add(parent == ProcessForest::npos ? -1 : row_of[parent]);
    start.add(us_since_first(p.start_ns));
    end.add(p.exited ? us_since_first(p.exit_ns) : -1);
    outcome.add(static_cast<int>(outcome_of(p)));
    status.add(strings.index(status_text(p)));
    comm.add(strings.index(p.comm));
    exe_name.add(strings.index(executable_name(p)));
    filename.add(strings.index(p.filename));
    argv.add_json(OrderedJson(p.argv));
    any_exec_detail |= add_exec_detail_columns(exec_detail, p, strings);
    truncated.add(p.argv_truncated ? 1 : 0);
    any_truncated |= p.argv_truncated;
    bool was_recovered = p.recovered;
    recovered.add(was_recovered ? 1 : 0);
    any_recovered |= was_recovered;
    jobs.add(strings.index(p.job));
    any_job |= !p.job.empty();
    int64_t cpu_ns = cpu_ns_of(p);
    cpu.add(cpu_ns);
    rss.add(max_rss_kb_of(p));
    any_usage |= cpu_ns >= 0;
  }

  std::string title = "whole-machine trace";
  if (forest.roots().size() == 1) {
    const Process& root = *nodes[forest.roots()[0]].process;
    title = root.argv.empty() ? printable(root.comm) : format_command(root.argv, root.argv_truncated);
  }
  OrderedJson head = {
      {"format", 1},
      {"title", title},
      {"t0_wall_ms", info.clock.wall_ns(info.first_ns) / 1'000'000},
      {"span_us", static_cast<int64_t>((info.last_ns > info.first_ns ? info.last_ns - info.first_ns : 0) / 1000)},
      {"lost", info.lost},
      {"failed_only", info.failed_only},
      {"has", {{"exec_detail", any_exec_detail}, {"usage", any_usage}}},
  };
  head["strings"] = strings.take();
  std::string out = json_for_script(head);
  out.pop_back();  // the closing brace: the columns and the report follow
  out += ",\"procs\":{";
  pid.move_to(out, "pid");
  for (auto [column, name] : {std::pair{&ppid, "ppid"}, {&parent_row, "parent"}, {&start, "start"}, {&end, "end"},
                              {&outcome, "outcome"}, {&status, "status"}, {&comm, "comm"}, {&exe_name, "exe_name"},
                              {&filename, "filename"}, {&argv, "argv"}}) {
    out += ',';
    column->move_to(out, name);
  }
  for (auto& [name, column] : exec_detail) {
    out += ',';
    column.move_to(out, name.c_str());
  }
  // Columns that would hold only defaults are left out.
  auto optional = [&](bool any, Column& column, const char* name) {
    if (!any) return;
    out += ',';
    column.move_to(out, name);
  };
  optional(any_truncated, truncated, "trunc");
  optional(any_recovered, recovered, "recovered");
  optional(any_job, jobs, "job");
  optional(any_usage, cpu, "cpu_ns");
  optional(any_usage, rss, "max_rss_kb");
  out += "},\"report\":";
  append_for_script(out, report.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
  out += '}';
  return out;
}

std::string gzip(const std::string& bytes) {
  z_stream z{};
  // 15 window bits + 16: a gzip header, whose time and name stay zero.
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

std::string base64(const std::string& bytes) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 | static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kDigits[(v >> shift) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kDigits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string render_html_report(const OrderedJson& data, size_t compress_over_bytes) {
  return render_html_page(json_for_script(data), compress_over_bytes);
}

std::string render_html_page(std::string json, size_t compress_over_bytes) {
  std::string page(html_assets::kTemplate);
  auto replace = [&](std::string_view marker, std::string_view with) {
    size_t at = page.find(marker);
    if (at != std::string::npos) page.replace(at, marker.size(), with);
  };
  // The data last: nothing in it can look like a marker to the later finds.
  replace("/*@FT_STYLE@*/", html_assets::kStyle);
  replace("/*@FT_SCRIPT@*/", html_assets::kScript);
  if (json.size() > compress_over_bytes) {
    std::string packed = gzip(json);
    if (!packed.empty()) {
      replace("id=\"ft-data\">", "id=\"ft-data\" data-encoding=\"gzip+base64\">");
      std::string().swap(json);
      json = base64(packed);
    }
  }
  replace("@FT_DATA@", json);
  return page;
}

OrderedJson interim_build_report(const ProcessForest& forest) {
  const auto& nodes = forest.nodes();
  auto proc = [&](size_t i) -> const Process& { return *nodes[i].process; };
  OrderedJson report = OrderedJson::object();
  std::vector<std::pair<size_t, size_t>> order = forest.depth_first();

  // Subtree totals, children before parents.
  struct Totals { uint64_t processes = 0, failed = 0; int64_t cpu_ns = 0, max_rss_kb = 0; };
  std::vector<Totals> totals(nodes.size());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    size_t i = it->first;
    Totals& t = totals[i];
    t.processes += 1;
    t.failed += failed(proc(i));
    t.cpu_ns += std::max<int64_t>(0, cpu_ns_of(proc(i)));
    t.max_rss_kb = std::max(t.max_rss_kb, max_rss_kb_of(proc(i)));
    if (size_t parent = nodes[i].parent; parent != ProcessForest::npos) {
      Totals& up = totals[parent];
      up.processes += t.processes;
      up.failed += t.failed;
      up.cpu_ns += t.cpu_ns;
      up.max_rss_kb = std::max(up.max_rss_kb, t.max_rss_kb);
    }
  }

  size_t root = forest.roots().size() == 1 ? forest.roots()[0] : ProcessForest::npos;
  if (root == ProcessForest::npos) {
    report["root"] = nullptr;
  } else {
    OrderedJson r = process_object(proc(root));
    r["subtree"] = {{"processes", totals[root].processes}, {"failed", totals[root].failed},
                    {"cpu_ns", totals[root].cpu_ns}, {"max_rss_kb", totals[root].max_rss_kb}};
    report["root"] = std::move(r);
  }

  // The cause: from the root, the failed child that ended last before its
  // parent did, as long as there is one.
  OrderedJson cause = OrderedJson::array();
  for (size_t at = root; at != ProcessForest::npos && failed(proc(at));) {
    cause.push_back(process_object(proc(at)));
    size_t next = ProcessForest::npos;
    for (size_t c : nodes[at].children) {
      const Process& child = proc(c);
      if (!failed(child) || child.exit_ns > proc(at).exit_ns) continue;
      if (next == ProcessForest::npos || child.exit_ns > proc(next).exit_ns) next = c;
    }
    at = next;
  }
  report["cause"] = std::move(cause);

  OrderedJson failures = OrderedJson::array();
  for (auto [i, depth] : order) {
    const Process& p = proc(i);
    if (!failed(p)) continue;
    OrderedJson f = process_object(p);
    OrderedJson chain = OrderedJson::array();
    std::vector<uint32_t> up;
    for (size_t a = nodes[i].parent; a != ProcessForest::npos; a = nodes[a].parent) up.push_back(proc(a).pid);
    for (auto it = up.rbegin(); it != up.rend(); ++it) chain.push_back(*it);
    f["chain"] = std::move(chain);
    size_t parent = nodes[i].parent;
    f["propagated"] = parent != ProcessForest::npos && failed(proc(parent)) && proc(parent).exit_ns >= p.exit_ns;
    failures.push_back(std::move(f));
  }
  report["failures"] = std::move(failures);
  report["not_found"] = OrderedJson::array();

  // The critical path, roughly: from the root, the child that ran longest, down.
  OrderedJson critical = OrderedJson::array();
  for (size_t at = root; at != ProcessForest::npos;) {
    critical.push_back(process_object(proc(at)));
    size_t next = ProcessForest::npos;
    for (size_t c : nodes[at].children)
      if (proc(c).exited && (next == ProcessForest::npos || proc(c).duration_ns() > proc(next).duration_ns())) next = c;
    at = next;
  }
  report["critical_path"] = std::move(critical);

  // Per executable; wall time is the union of its runs' intervals, so nested
  // or parallel runs are not counted twice.
  struct PerExecutable {
    uint64_t runs = 0, failed = 0;
    int64_t cpu_ns = -1, max_rss_kb = -1;
    std::vector<std::pair<uint64_t, uint64_t>> spans;
  };
  std::map<std::string, PerExecutable> executables;
  for (const auto& node : nodes) {
    const Process& p = *node.process;
    if (!p.exited) continue;
    PerExecutable& x = executables[executable_name(p)];
    x.runs++;
    x.failed += failed(p);
    if (int64_t c = cpu_ns_of(p); c >= 0) x.cpu_ns = std::max<int64_t>(x.cpu_ns, 0) + c;
    x.max_rss_kb = std::max(x.max_rss_kb, max_rss_kb_of(p));
    x.spans.emplace_back(p.start_ns, p.exit_ns);
  }
  OrderedJson list = OrderedJson::array();
  for (auto& [name, x] : executables) {
    std::sort(x.spans.begin(), x.spans.end());
    uint64_t wall = 0, open = 0, close = 0;
    for (auto [s, e] : x.spans) {
      if (s > close) {
        wall += close - open;
        open = s;
        close = e;
      } else {
        close = std::max(close, e);
      }
    }
    wall += close - open;
    OrderedJson j = {{"name", name}, {"runs", x.runs}, {"failed", x.failed}};
    j["cpu_ns"] = x.cpu_ns >= 0 ? OrderedJson(x.cpu_ns) : OrderedJson(nullptr);
    j["max_rss_kb"] = x.max_rss_kb >= 0 ? OrderedJson(x.max_rss_kb) : OrderedJson(nullptr);
    j["wall_ns"] = wall;
    list.push_back(std::move(j));
  }
  report["executables"] = std::move(list);
  return report;
}

}  // namespace ft
