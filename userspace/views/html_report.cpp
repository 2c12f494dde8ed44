#include "views/html_report.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_map>

#include <zlib.h>

#include "core/exit_status.h"
#include "core/killed_by.h"
#include "format/text.h"
#include "views/view_options.h"

namespace ft {
namespace html_assets {
// Generated from views/html/ by cmake/embed_text.cmake.
extern const std::string_view kTemplate, kStyle, kScript;
}  // namespace html_assets

namespace {

enum Outcome { kOk = 0, kFailed = 1, kSignaled = 2, kRunning = 3, kUnknown = 4 };

using analysis::Step;
using analysis::Trace;

int64_t cpu_ns_of(const Step& p) { return p.usage ? static_cast<int64_t>(p.usage->cpu_ns()) : -1; }

int64_t max_rss_kb_of(const Step& p) { return p.usage ? static_cast<int64_t>(p.usage->peak_rss_kb()) : -1; }

Outcome outcome_of(const Step& p) {
  if (!p.exited) return kRunning;
  if (p.status_unknown) return kUnknown;
  ExitStatus s = decode_wait_status(p.wait_status);
  if (s.signal) return kSignaled;
  return s.failed() ? kFailed : kOk;
}

std::string status_text(const Step& p) {
  switch (outcome_of(p)) {
    case kRunning: return "running";
    case kUnknown: return "status unknown";
    default: return describe(decode_wait_status(p.wait_status), p.killed_by);
  }
}

// Strings that repeat (statuses, paths, names) are written once.
class StringTable {
 public:
  StringTable() { index(""); }
  int64_t index(std::string_view s) {
    auto [it, added] = ids_.try_emplace(std::string(s), static_cast<int64_t>(ids_.size()));
    if (added) table_.push_back(it->first);
    return it->second;
  }
  OrderedJson take() { return std::move(table_); }

 private:
  std::unordered_map<std::string, int64_t> ids_;
  OrderedJson table_ = OrderedJson::array();
};

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
  // Adds `"name":[...]` to `out`, giving it the column's text.
  void move_to(JsonPieces& out, const char* name) {
    out.push_back(std::string("\"") + name + "\":[");
    out.push_back(std::move(text_));
    std::string().swap(text_);
    out.emplace_back("]");
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

bool add_exec_detail_columns(std::map<std::string, Column>& extra, const Trace& t, const Step& p,
                             StringTable& strings) {
  extra["cwd"].add(strings.index(t.str(p.cwd)));
  extra["exe"].add(strings.index(t.str(p.exe)));
  extra["uid"].add(p.uid);
  extra["euid"].add(p.euid);
  extra["gid"].add(p.gid);
  return p.has_creds || p.cwd != 0;
}

// "/usr/bin/gcc" → "gcc", as the HTML report has always named it: an
// fexecve's /dev/fd/N by its N.
std::string exe_name_of(const Trace& t, const Step& p) {
  return printable(std::string(analysis::executable_name(t.str(p.filename), t.str(p.exe), t.str(p.comm), false)));
}

}  // namespace

std::string html_report_json(const Trace& trace, const HtmlTraceInfo& info, const OrderedJson& report) {
  std::string out;
  for (const std::string& piece : html_report_pieces(trace, info, report)) out += piece;
  return out;
}

JsonPieces html_report_pieces(const Trace& trace, const HtmlTraceInfo& info, const OrderedJson& report) {
  const analysis::OwnForest forest = analysis::own_forest(trace);
  std::vector<bool> failed_subtree = info.failed_only ? forest.failed_subtrees(trace) : std::vector<bool>();
  std::vector<int64_t> row_of(trace.steps.size(), -1);
  StringTable strings;
  Column pid, ppid, parent_row, start, end, outcome, status, comm, exe_name, filename, argv;
  Column truncated, recovered, jobs, containers, nspids, cpu, rss;
  std::map<std::string, Column> exec_detail;
  bool any_truncated = false, any_recovered = false, any_job = false, any_usage = false, any_exec_detail = false;
  bool any_container = false;
  auto us_since_first = [&](uint64_t boot_ns) {
    return static_cast<int64_t>((std::max(boot_ns, info.first_ns) - info.first_ns) / 1000);
  };
  int64_t rows = 0;
  for (auto [index, depth] : forest.depth_first()) {
    if (info.failed_only && !failed_subtree[index]) continue;
    const Step& p = trace.steps[index];
    row_of[index] = rows++;
    uint32_t parent = forest.parent[index];
    pid.add(p.pid);
    ppid.add(p.forked_by ? p.forked_by : p.ppid);
    parent_row.add(parent == analysis::kNone ? -1 : row_of[parent]);
    start.add(us_since_first(p.start_ns));
    end.add(p.exited ? us_since_first(p.exit_ns) : -1);
    outcome.add(static_cast<int>(outcome_of(p)));
    status.add(strings.index(status_text(p)));
    comm.add(strings.index(trace.str(p.comm)));
    exe_name.add(strings.index(exe_name_of(trace, p)));
    filename.add(strings.index(trace.str(p.filename)));
    argv.add_json(OrderedJson(trace.argv(p).strings()));
    any_exec_detail |= add_exec_detail_columns(exec_detail, trace, p, strings);
    truncated.add(p.argv_truncated ? 1 : 0);
    any_truncated |= p.argv_truncated;
    bool was_recovered = p.recovered;
    recovered.add(was_recovered ? 1 : 0);
    any_recovered |= was_recovered;
    jobs.add(strings.index(trace.str(p.job)));
    any_job |= p.job != 0;
    containers.add(p.container ? strings.index(container_text(*p.container)) : 0);  // 0: ""
    nspids.add(p.nspid != p.pid ? p.nspid : 0);
    any_container |= p.container != nullptr;
    int64_t cpu_ns = cpu_ns_of(p);
    cpu.add(cpu_ns);
    rss.add(max_rss_kb_of(p));
    any_usage |= cpu_ns >= 0;
  }

  std::string title = "whole-machine trace";
  if (forest.roots.size() == 1) {
    const Step& root = trace.steps[forest.roots[0]];
    analysis::ArgvView root_argv = trace.argv(root);
    title = root_argv.empty() ? printable(std::string(trace.str(root.comm)))
                              : format_command(root_argv.strings(), root.argv_truncated);
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
  JsonPieces out;
  out.push_back(json_for_script(head));
  out.back().pop_back();  // the closing brace: the columns and the report follow
  out.back() += ",\"procs\":{";
  pid.move_to(out, "pid");
  for (auto [column, name] : {std::pair{&ppid, "ppid"}, {&parent_row, "parent"}, {&start, "start"}, {&end, "end"},
                              {&outcome, "outcome"}, {&status, "status"}, {&comm, "comm"}, {&exe_name, "exe_name"},
                              {&filename, "filename"}, {&argv, "argv"}}) {
    out.emplace_back(",");
    column->move_to(out, name);
  }
  for (auto& [name, column] : exec_detail) {
    out.emplace_back(",");
    column.move_to(out, name.c_str());
  }
  // Columns that would hold only defaults are left out.
  auto optional = [&](bool any, Column& column, const char* name) {
    if (!any) return;
    out.emplace_back(",");
    column.move_to(out, name);
  };
  optional(any_truncated, truncated, "trunc");
  optional(any_recovered, recovered, "recovered");
  optional(any_job, jobs, "job");
  optional(any_container, containers, "container");
  optional(any_container, nspids, "nspid");
  optional(any_usage, cpu, "cpu_ns");
  optional(any_usage, rss, "max_rss_kb");
  out.emplace_back("},\"report\":");
  out.emplace_back();
  append_for_script(out.back(), report.dump(-1, ' ', false, OrderedJson::error_handler_t::replace));
  out.emplace_back("}");
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
  std::string page;
  JsonPieces pieces;
  pieces.push_back(std::move(json));
  write_html_page(std::move(pieces), [&](std::string_view text) { page += text; }, compress_over_bytes);
  return page;
}

namespace {

// Bytes in, base64 out to `write`, in whole groups of three; finish() pads.
class Base64Writer {
 public:
  explicit Base64Writer(const WriteText& write) : write_(write) {}
  void add(const char* data, size_t size) {
    carry_.append(data, size);
    size_t whole = carry_.size() / 3 * 3;
    if (!whole) return;
    write_(base64(carry_.substr(0, whole)));
    carry_.erase(0, whole);
  }
  void finish() {
    if (!carry_.empty()) write_(base64(carry_));
    carry_.clear();
  }

 private:
  const WriteText& write_;
  std::string carry_;
};

// gzip as gzip() makes it, fed piece by piece, its output base64-encoded as
// it comes: the compressed data is never held whole.
class GzipBase64Writer {
 public:
  explicit GzipBase64Writer(const WriteText& write) : out_(write) {
    ok_ = deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipBase64Writer() {
    if (ok_) deflateEnd(&z_);
  }
  bool ok() const { return ok_; }
  void add(std::string_view text) { pump(text, Z_NO_FLUSH); }
  void finish() {
    pump({}, Z_FINISH);
    out_.finish();
  }

 private:
  void pump(std::string_view text, int flush) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z_.avail_in = static_cast<uInt>(text.size());
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(buffer_);
      z_.avail_out = sizeof buffer_;
      rc = deflate(&z_, flush);
      out_.add(buffer_, sizeof buffer_ - z_.avail_out);
    } while (rc == Z_OK && (z_.avail_out == 0 || flush == Z_FINISH));
  }
  z_stream z_{};
  bool ok_ = false;
  Base64Writer out_;
  char buffer_[1 << 16];
};

}  // namespace

void write_html_page(JsonPieces pieces, const WriteText& write, size_t compress_over_bytes) {
  std::string page(html_assets::kTemplate);
  auto replace = [&](std::string_view marker, std::string_view with) {
    size_t at = page.find(marker);
    if (at != std::string::npos) page.replace(at, marker.size(), with);
  };
  replace("/*@FT_STYLE@*/", html_assets::kStyle);
  replace("/*@FT_SCRIPT@*/", html_assets::kScript);
  size_t total = 0;
  for (const std::string& piece : pieces) total += piece.size();
  std::unique_ptr<GzipBase64Writer> packer;
  if (total > compress_over_bytes) {
    packer = std::make_unique<GzipBase64Writer>(write);
    if (packer->ok())
      replace("id=\"ft-data\">", "id=\"ft-data\" data-encoding=\"gzip+base64\">");
    else
      packer.reset();
  }
  constexpr std::string_view kDataMarker = "@FT_DATA@";
  size_t at = page.find(kDataMarker);
  if (at == std::string::npos) at = page.size();
  write(std::string_view(page).substr(0, at));
  for (std::string& piece : pieces) {
    if (packer)
      packer->add(piece);
    else
      write(piece);
    std::string().swap(piece);
  }
  if (packer) packer->finish();
  if (at < page.size()) write(std::string_view(page).substr(at + kDataMarker.size()));
}

}  // namespace ft
