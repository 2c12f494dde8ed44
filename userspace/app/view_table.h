// The views --format names, one entry each: its name on the command line,
// its words in --help, and how to make it. The options parse a name into a
// Format once (app/options.cpp); make_views() (app/output.cpp) builds the
// views from the same table, for the live and the replay path alike.
#pragma once

#include <cstdio>
#include <memory>
#include <span>

#include "app/options.h"

namespace ft {

class Sink;
class TraceStore;
struct ViewOptions;
namespace otel {
struct SpanConfig;
}

struct ViewKind {
  Format format;
  const char* name;  // --format NAME
  const char* help;  // what --help says of it, after its name ("" for nothing)
  // An end-of-trace view: reads the run's whole-trace store (views/trace_store.h),
  // with every program a process ran where `history`.
  bool reads_store = false;
  bool history = false;
  std::unique_ptr<Sink> (*make)(std::FILE* out, const ViewOptions& view, const TraceStore* store,
                                const otel::SpanConfig& otel) = nullptr;
  // A view of each event that reads the store at the end with --failed (text:
  // the failure path).
  bool reads_store_when_failed = false;
};

// In --help's order.
std::span<const ViewKind> view_kinds();
const ViewKind& view_kind(Format format);

}  // namespace ft
