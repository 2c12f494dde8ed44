#include "app/view_table.h"

#include "export/otel/otlp_json_view.h"
#include "export/perfetto/perfetto_view.h"
#include "views/chrome_view.h"
#include "views/compile_commands_view.h"
#include "views/html_view.h"
#include "views/json_view.h"
#include "views/text_view.h"
#include "views/trace_store.h"
#include "views/tree_view.h"

namespace ft {
namespace {

using Store = const TraceStore*;
using Otel = const otel::SpanConfig&;

// A view of each event as it comes.
template <class View>
std::unique_ptr<Sink> per_event(std::FILE* out, const ViewOptions& view, Store, Otel) {
  return std::make_unique<View>(out, view);
}
// A view of the finished trace, from the run's whole-trace store.
template <class View>
std::unique_ptr<Sink> at_end(std::FILE* out, const ViewOptions& view, Store store, Otel) {
  return std::make_unique<View>(out, view, store);
}
// Each event as it comes; with --failed, the failure path from the store at the end.
std::unique_ptr<Sink> text(std::FILE* out, const ViewOptions& view, Store store, Otel) {
  return std::make_unique<TextView>(out, view, view.failed_only ? store : nullptr);
}
std::unique_ptr<Sink> otlp_json(std::FILE* out, const ViewOptions&, Store, Otel otel) {
  return std::make_unique<otel::OtlpJsonView>(out, otel);
}

// --help lists them in this order.
const ViewKind kViews[] = {
    {Format::text, "text", "one line per event", false, false, text, true},
    {Format::tree, "tree", "", true, false, at_end<TreeView>},
    {Format::json, "json", "JSON Lines", false, false, per_event<JsonView>},
    {Format::chrome, "chrome", "Trace Event JSON for Perfetto", true, true, at_end<ChromeView>},
    {Format::html, "html", "a self-contained report, with -o FILE", true, false, at_end<HtmlView>},
    {Format::otlp, "otlp", "OpenTelemetry traces as OTLP/JSON lines", false, false, otlp_json},
    {Format::compile_commands, "compile-commands", "a JSON compilation database, compile_commands.json, with -o FILE",
     true, false, at_end<CompileCommandsView>},
    {Format::perfetto, "perfetto", "a Perfetto protobuf trace, process tracks nested by parent, with -o FILE", true, true,
     at_end<PerfettoView>},
};

}  // namespace

std::span<const ViewKind> view_kinds() { return kViews; }

const ViewKind& view_kind(Format format) {
  for (const ViewKind& kind : kViews)
    if (kind.format == format) return kind;
  return kViews[0];
}

}  // namespace ft
