// The HTML report (`--format html`): one self-contained page, the process
// tree over time with the build report beside it. The page's template, style
// sheet and script are checked-in files under views/html/, embedded at build
// time (cmake/embed_text.cmake); the trace is embedded as JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/trace.h"
#include "views/view_options.h"

namespace ft {

using OrderedJson = nlohmann::ordered_json;

// What the page knows about the trace beyond its processes.
struct HtmlTraceInfo {
  TraceClock clock;
  uint64_t first_ns = 0, last_ns = 0;  // boot time of the first and last event
  uint64_t lost = 0;                   // events the kernel could not deliver
  bool failed_only = false;            // --failed: only failed processes and their ancestry
};

// The data the page embeds, as JSON text that is safe inside a <script>
// element (see json_for_script): the processes in depth-first order as columns
// (`procs`: pid, parent row, start/end in µs since the first event, outcome,
// status, argv, ...; cwd, exe, user and usage where the model has them), a
// string table, and `report`, the build report's JSON as `--summary --format
// json` prints it (cause, failures, critical path, executables), which the
// page renders and does not recompute. Written as text column by column: a
// JSON tree of 100k processes would cost several times the text.
std::string html_report_json(const analysis::Trace& trace, const HtmlTraceInfo& info, const OrderedJson& report);
// The same text in pieces, in order, each column its own: written out (and
// freed) one by one, the whole text is never held twice.
using JsonPieces = std::vector<std::string>;
JsonPieces html_report_pieces(const analysis::Trace& trace, const HtmlTraceInfo& info, const OrderedJson& report);

// JSON text that is safe inside a <script> element: every `<`, `>` and `&`
// (and U+2028/U+2029) is written as a \u escape, so no argv can end the
// element or open a comment, and JSON.parse reads back the same strings.
std::string json_for_script(const OrderedJson& data);
void append_for_script(std::string& out, std::string_view json);

// The whole page around `data`. Data of more than `compress_over_bytes` is
// embedded gzip-compressed in base64 (data-encoding="gzip+base64"), which
// the page inflates with the browser's DecompressionStream: a 100k-process
// report is 6x smaller and opens faster. Smaller data stays readable JSON.
constexpr size_t kCompressOverBytes = 1 << 20;
std::string render_html_report(const OrderedJson& data, size_t compress_over_bytes = kCompressOverBytes);
// The same around JSON text that json_for_script or html_report_json made.
std::string render_html_page(std::string script_safe_json, size_t compress_over_bytes = kCompressOverBytes);
// The page around `pieces`, written to `write` as it is made: the data is
// compressed and encoded piece by piece, each piece freed once written.
using WriteText = std::function<void(std::string_view)>;
void write_html_page(JsonPieces pieces, const WriteText& write, size_t compress_over_bytes = kCompressOverBytes);

// gzip (RFC 1952) of `bytes`, deterministic: no name, no time stamp.
std::string gzip(const std::string& bytes);
std::string base64(const std::string& bytes);

}  // namespace ft
