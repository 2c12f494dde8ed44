// export/otel: the span model (parents, execs, failures, IDs, traces,
// TRACEPARENT, jobs), its OTLP/JSON and protobuf encodings checked against
// the official opentelemetry-proto schema, and the app's env and argv rules.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "app/otel_export.h"
#include "pipeline/pipeline.h"
#include "app/redact.h"
#include "event_builders.h"
#include "export/otel/ids.h"
#include "export/otel/otlp_http_exporter.h"
#include "export/otel/otlp_json.h"
#include "export/otel/otlp_proto.h"
#include "export/otel/span_builder.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace ft {
namespace {

using namespace ft::test;
using namespace ft::otel;
using Value = decltype(Attribute::value);
using Request = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr const char* kBoot = "29c77133-bf15-494d-bcc3-e441fb9225fa";
constexpr const char* kParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

// Feeds events through the real pipeline into a span builder; keeps the spans.
struct Traced {
  explicit Traced(TraceScope scope = TraceScope::command, std::string boot = kBoot) {
    SpanConfig c;
    c.boot_id = boot;
    c.host_name = "node1";
    c.version = "9.9";
    c.realtime_offset_ns = 1'700'000'000 * int64_t(kSec);
    c.scope = scope;
    config = c;
    auto sink = std::make_unique<Collect>(c, spans, roots);
    pipeline.add_sink(std::move(sink));
  }
  struct Collect : Sink {
    Collect(const SpanConfig& c, std::vector<Span>& out, std::vector<bool>& roots)
        : builder(c, [&out, &roots](Span&& s, bool root) {
            out.push_back(std::move(s));
            roots.push_back(root);
          }) {}
    void on_event(const Event& e, const Process& p) override { builder.on_event(e, p); }
    void on_lost(const Event& e) override { builder.on_lost(e); }
    void finish() override { builder.finish(); }
    SpanBuilder builder;
  };
  Traced& feed(Event e) {
    pipeline.feed(e);
    return *this;
  }
  const Span& span(uint32_t pid) const {
    for (const Span& s : spans)
      if (std::get<int64_t>(attr(s, "process.pid")) == pid) return s;
    static Span none;
    ADD_FAILURE() << "no span of pid " << pid;
    return none;
  }
  static Value attr_or(const Span& s, const std::string& key, Value fallback) {
    for (const Attribute& a : s.attributes)
      if (a.key == key) return a.value;
    return fallback;
  }
  static Value attr(const Span& s, const std::string& key) {
    for (const Attribute& a : s.attributes)
      if (a.key == key) return a.value;
    ADD_FAILURE() << "no attribute " << key << " on " << s.name;
    return int64_t{-1};
  }
  static bool has(const Span& s, const std::string& key) {
    for (const Attribute& a : s.attributes)
      if (a.key == key) return true;
    return false;
  }
  SpanConfig config;
  Pipeline pipeline{false};
  std::vector<Span> spans;
  std::vector<bool> roots;
};

// forktrace (10, seeded) runs the command: sh (100) → make (200) → cc (300).
const Id kTracer{10, 5 * kSec};
const Id kSh{100, 10 * kSec}, kMake{200, 11 * kSec}, kCc{300, 12 * kSec};

TEST(Spans, OnePerProcessUnderItsForkerAfterReparenting) {
  Traced r;
  r.pipeline.model().seed({seed_of(1, 0, 0, "systemd"), seed_of(10, 1, kTracer.start_ns, "forktrace")});
  r.feed(fork_of(kTracer, kSh))
      .feed(exec_of(kSh, 10, "/bin/sh", {"sh", "-c", "make"}, kSh.start_ns + kMs))
      .feed(fork_of(kSh, kMake))
      .feed(fork_of(kMake, kCc))
      .feed(exit_of(kMake, 100, exited_with(0), 13 * kSec))
      // cc was reparented to pid 1 when make exited; it still belongs under make.
      .feed(exit_of(kCc, 1, exited_with(0), 14 * kSec))
      .feed(exit_of(kSh, 10, exited_with(0), 15 * kSec));
  r.pipeline.finish();
  ASSERT_EQ(r.spans.size(), 3u);
  const Span &sh = r.span(100), &make = r.span(200), &cc = r.span(300);
  EXPECT_TRUE(is_zero(sh.parent_span_id));
  EXPECT_EQ(make.parent_span_id, sh.span_id);
  EXPECT_EQ(cc.parent_span_id, make.span_id);
  EXPECT_EQ(std::get<int64_t>(Traced::attr(cc, "process.parent_pid")), 200);
  EXPECT_EQ(std::get<bool>(Traced::attr(cc, "forktrace.process.reparented")), true);
  EXPECT_EQ(std::get<int64_t>(Traced::attr(cc, "forktrace.process.reaper_pid")), 1);
  // One trace for the traced command, rooted at sh.
  EXPECT_EQ(sh.trace_id, trace_id_of(kBoot, 100, kSh.start_ns));
  EXPECT_EQ(make.trace_id, sh.trace_id);
  EXPECT_EQ(cc.trace_id, sh.trace_id);
  EXPECT_EQ(r.roots, (std::vector<bool>{false, false, true}));
  // From start to exit, in wall-clock time.
  EXPECT_EQ(cc.start_unix_ns, r.config.realtime_offset_ns + int64_t(12 * kSec));
  EXPECT_EQ(cc.end_unix_ns, r.config.realtime_offset_ns + int64_t(14 * kSec));
}

TEST(Spans, EachExecIsAnEventAndTheLastNamesTheSpan) {
  Traced r;
  r.feed(fork_of(kTracer, kSh))
      .feed(exec_of(kSh, 10, "/bin/sh", {"sh", "-c", "exec env make"}, 10 * kSec + kMs))
      .feed(exec_of(kSh, 10, "/usr/bin/env", {"env", "make"}, 10 * kSec + 2 * kMs))
      .feed(exec_of(kSh, 10, "/usr/bin/make", {"make", "-j2"}, 10 * kSec + 3 * kMs))
      .feed(exit_of(kSh, 10, exited_with(0), 11 * kSec));
  ASSERT_EQ(r.spans.size(), 1u);
  const Span& s = r.spans[0];
  EXPECT_EQ(s.name, "make");
  ASSERT_EQ(s.events.size(), 3u);
  EXPECT_EQ(s.events[1].name, "exec");
  EXPECT_EQ(s.events[1].time_unix_ns, r.config.realtime_offset_ns + int64_t(10 * kSec + 2 * kMs));
  EXPECT_EQ(std::get<std::string>(s.events[1].attributes[0].value), "/usr/bin/env");
  EXPECT_EQ(std::get<std::vector<std::string>>(Traced::attr(s, "process.command_args")),
            (std::vector<std::string>{"make", "-j2"}));
  EXPECT_EQ(std::get<std::string>(Traced::attr(s, "process.executable.name")), "make");
  EXPECT_EQ(std::get<std::string>(Traced::attr(s, "process.executable.path")), "/usr/bin/make");
  EXPECT_EQ(s.status, StatusCode::unset);
  EXPECT_EQ(std::get<int64_t>(Traced::attr(s, "process.exit.code")), 0);
}

TEST(Spans, FailedExecAttemptsAreEventsWithTheirError) {
  Traced r;
  r.feed(fork_of(kTracer, kSh))
      .feed(exec_of(kSh, 10, "/bin/sh", {"sh", "-c", "nosuch x"}, 10 * kSec + kMs))
      .feed(failed_exec_of(kSh, 10, "/usr/bin/nosuch", ENOENT, 10 * kSec + 2 * kMs))
      .feed(exit_of(kSh, 10, exited_with(127), 11 * kSec));
  ASSERT_EQ(r.spans.size(), 1u);
  const Span& s = r.spans[0];
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[1].name, "exec_failed");
  EXPECT_EQ(s.events[1].time_unix_ns, r.config.realtime_offset_ns + int64_t(10 * kSec + 2 * kMs));
  EXPECT_EQ(std::get<std::string>(s.events[1].attributes[0].value), "/usr/bin/nosuch");
  EXPECT_EQ(s.events[1].attributes[1].key, "error.type");
  EXPECT_EQ(std::get<std::string>(s.events[1].attributes[1].value), "ENOENT");
  EXPECT_EQ(s.name, "sh");  // the program still running is the one that failed to exec
  EXPECT_EQ(s.status, StatusCode::error);
}

TEST(Spans, FailuresAreErrorsWithTheExitCodeOrSignal) {
  Traced r;
  Id a{101, 20 * kSec}, b{102, 21 * kSec};
  r.feed(fork_of(kTracer, kSh))
      .feed(fork_of(kSh, a))
      .feed(exit_of(a, 100, exited_with(3), 22 * kSec))
      .feed(fork_of(kSh, b))
      .feed(exit_of(b, 100, killed_by(11, true), 23 * kSec))
      .feed(exit_of(kSh, 10, exited_with(1), 24 * kSec));
  const Span &sa = r.span(101), &sb = r.span(102), &sh = r.span(100);
  EXPECT_EQ(sa.status, StatusCode::error);
  EXPECT_EQ(sa.status_message, "exit 3");
  EXPECT_EQ(std::get<int64_t>(Traced::attr(sa, "process.exit.code")), 3);
  EXPECT_EQ(sb.status, StatusCode::error);
  EXPECT_FALSE(Traced::has(sb, "process.exit.code"));
  EXPECT_EQ(std::get<int64_t>(Traced::attr(sb, "forktrace.process.signal")), 11);
  EXPECT_EQ(std::get<std::string>(Traced::attr(sb, "forktrace.process.signal_name")), "SIGSEGV");
  EXPECT_EQ(std::get<bool>(Traced::attr(sb, "forktrace.process.core_dumped")), true);
  EXPECT_EQ(sh.status, StatusCode::error);
}

TEST(Spans, IdsDependOnBootPidAndStartOnly) {
  auto ids = [](const std::string& boot) {
    Traced r(TraceScope::command, boot);
    r.feed(fork_of(kTracer, kSh)).feed(fork_of(kSh, kMake)).feed(exit_of(kMake, 100, 0, 12 * kSec));
    r.feed(exit_of(kSh, 10, 0, 13 * kSec));
    return std::make_pair(r.span(200).span_id, r.span(200).trace_id);
  };
  EXPECT_EQ(ids(kBoot), ids(kBoot));
  EXPECT_NE(ids(kBoot).first, ids("another-boot").first);
  EXPECT_NE(ids(kBoot).second, ids("another-boot").second);
  EXPECT_EQ(ids(kBoot).first, span_id_of(kBoot, 200, kMake.start_ns));
  EXPECT_NE(span_id_of(kBoot, 200, 1), span_id_of(kBoot, 200, 2));  // a reused pid is another span
  EXPECT_NE(span_id_of(kBoot, 200, 1), span_id_of(kBoot, 201, 1));
  EXPECT_EQ(to_hex(span_id_of(kBoot, 200, 1)).size(), 16u);
  EXPECT_EQ(to_hex(trace_id_of(kBoot, 200, 1)).size(), 32u);
}

TEST(Spans, TraceparentOfTheRootMakesItAChildOfThatSpan) {
  Traced r;
  Event exec = exec_of(kSh, 10, "/bin/sh", {"sh"}, 10 * kSec + kMs);
  exec.env = {std::string("TRACEPARENT=") + kParent, "TRACESTATE=vendor=abc"};
  Event child_exec = exec_of(kMake, 100, "/usr/bin/make", {"make"}, 11 * kSec + kMs);
  // A descendant's own TRACEPARENT (say, inherited) changes nothing.
  child_exec.env = {"TRACEPARENT=00-11111111111111111111111111111111-2222222222222222-01"};
  r.feed(fork_of(kTracer, kSh)).feed(exec).feed(fork_of(kSh, kMake)).feed(child_exec);
  r.feed(exit_of(kMake, 100, 0, 12 * kSec)).feed(exit_of(kSh, 10, 0, 13 * kSec));
  const Span &sh = r.span(100), &make = r.span(200);
  EXPECT_EQ(to_hex(sh.trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(to_hex(sh.parent_span_id), "b7ad6b7169203331");
  EXPECT_EQ(sh.trace_state, "vendor=abc");
  EXPECT_EQ(make.trace_id, sh.trace_id);
  EXPECT_EQ(make.parent_span_id, sh.span_id);
  EXPECT_EQ(make.trace_state, "vendor=abc");
}

TEST(Spans, AJobIsOneTraceWhoseIdIsTheSameOnEveryNode) {
  // Service mode: a CI agent (seeded, 50) starts a job's root (400).
  auto run = [](const std::string& boot, bool with_traceparent) {
    Traced r(TraceScope::machine, boot);
    r.pipeline.model().seed({seed_of(1, 0, 0, "systemd"), seed_of(50, 1, kSec, "agent")});
    Id agent{50, kSec}, job{400, 30 * kSec}, step{401, 31 * kSec}, other{500, 32 * kSec};
    Event exec = exec_of(job, 50, "/bin/bash", {"bash", "job.sh"}, 30 * kSec + kMs);
    exec.env = {"CI_JOB_ID=job-42"};
    if (with_traceparent) exec.env.push_back(std::string("TRACEPARENT=") + kParent);
    r.feed(fork_of(agent, job)).feed(exec).feed(fork_of(job, step)).feed(fork_of(agent, other));
    r.feed(exit_of(step, 400, 0, 33 * kSec)).feed(exit_of(job, 50, 0, 34 * kSec)).feed(exit_of(other, 50, 0, 35 * kSec));
    return r.spans;
  };
  auto node1 = run("boot-1", false), node2 = run("boot-2", false);
  ASSERT_EQ(node1.size(), 3u);
  const Span &step = node1[0], &job = node1[1], &other = node1[2];
  EXPECT_EQ(job.trace_id, trace_id_of_job("job-42"));
  EXPECT_TRUE(is_zero(job.parent_span_id));
  EXPECT_EQ(step.trace_id, job.trace_id);
  EXPECT_EQ(step.parent_span_id, job.span_id);
  EXPECT_EQ(std::get<std::string>(Traced::attr(job, "cicd.pipeline.run.id")), "job-42");
  // Another top-level tree is a trace of its own.
  EXPECT_EQ(other.trace_id, trace_id_of("boot-1", 500, 32 * kSec));
  EXPECT_TRUE(is_zero(other.parent_span_id));
  // The same job on another node: the same trace, other spans.
  EXPECT_EQ(node2[1].trace_id, job.trace_id);
  EXPECT_NE(node2[1].span_id, job.span_id);
  // A job root's TRACEPARENT wins: the CI system's trace, under its span.
  auto traced = run("boot-1", true);
  EXPECT_EQ(to_hex(traced[1].trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(to_hex(traced[1].parent_span_id), "b7ad6b7169203331");
  EXPECT_EQ(traced[0].trace_id, traced[1].trace_id);
}

TEST(Spans, FollowedProcessIsTheRootOfItsTrace) {
  // -p 70: it ran before tracing; its children's spans hang under its span.
  Traced r(TraceScope::pids);
  r.pipeline.model().seed({seed_of(1, 0, 0, "systemd"), seed_of(60, 1, kSec, "bash"),
                           seed_of(70, 60, 2 * kSec, "make", "/usr/bin/make", {"make"})});
  Id make{70, 2 * kSec}, cc{71, 40 * kSec};
  r.feed(fork_of(make, cc)).feed(exit_of(cc, 70, 0, 41 * kSec)).feed(exit_of(make, 60, exited_with(2), 42 * kSec));
  ASSERT_EQ(r.spans.size(), 2u);
  const Span &child = r.span(71), &root = r.span(70);
  EXPECT_TRUE(is_zero(root.parent_span_id));
  EXPECT_EQ(child.parent_span_id, root.span_id);
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_EQ(root.name, "make");
  EXPECT_EQ(root.status, StatusCode::error);
  EXPECT_EQ(std::get<bool>(Traced::attr(root, "forktrace.process.started_before_trace")), true);
}

TEST(Spans, ProcessesRunningAtTheEndAreEndedAndMarked) {
  Traced r;
  r.feed(fork_of(kTracer, kSh)).feed(fork_of(kSh, kMake)).feed(exit_of(kSh, 10, 0, 13 * kSec));
  r.feed(lost_of(1, 20 * kSec));
  r.pipeline.finish();
  ASSERT_EQ(r.spans.size(), 2u);
  const Span& daemon = r.span(200);
  EXPECT_EQ(std::get<bool>(Traced::attr(daemon, "forktrace.process.running")), true);
  EXPECT_FALSE(Traced::has(daemon, "process.exit.code"));
  EXPECT_EQ(daemon.status, StatusCode::unset);
  EXPECT_EQ(daemon.end_unix_ns, r.config.realtime_offset_ns + int64_t(20 * kSec));
}

TEST(Spans, StringsAreValidUtf8) {
  EXPECT_EQ(to_utf8("plain"), "plain");
  EXPECT_EQ(to_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(to_utf8("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(to_utf8("\xc0\x80"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong
  EXPECT_EQ(to_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(to_utf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");  // cut
}

TEST(TraceParent, ParsesTheW3CForm) {
  auto tp = parse_traceparent(kParent);
  ASSERT_TRUE(tp);
  EXPECT_EQ(to_hex(tp->trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(to_hex(tp->span_id), "b7ad6b7169203331");
  EXPECT_EQ(tp->flags, 1);
  EXPECT_TRUE(parse_traceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00-extra"));
  EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"));
  EXPECT_FALSE(parse_traceparent("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
  EXPECT_FALSE(parse_traceparent("00-00000000000000000000000000000000-b7ad6b7169203331-01"));
  EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"));
  EXPECT_FALSE(parse_traceparent("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"));
  EXPECT_FALSE(parse_traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"));
  EXPECT_FALSE(parse_traceparent(""));
}

std::vector<Span> sample_spans() {
  Traced r;
  Event exec = exec_of(kSh, 10, "/bin/sh", {"sh", "-c", "x\xff"}, 10 * kSec + kMs);
  exec.env = {std::string("TRACEPARENT=") + kParent};
  r.feed(fork_of(kTracer, kSh)).feed(exec).feed(fork_of(kSh, kMake));
  r.feed(exit_of(kMake, 100, exited_with(2), 12 * kSec)).feed(exit_of(kSh, 10, 0, 13 * kSec));
  return r.spans;
}

// OTLP/JSON's IDs are hex where protobuf's JSON mapping has base64: turn them
// into base64 so that protobuf's own JSON parser, with the generated schema,
// can check every other field name and type.
std::string hex_ids_to_base64(nlohmann::json j) {
  static constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  auto convert = [](const std::string& hex) {
    std::string bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
      if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
      if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
      out += b64[(n >> 18) & 63];
      out += b64[(n >> 12) & 63];
      out += i + 1 < bytes.size() ? b64[(n >> 6) & 63] : '=';
      out += i + 2 < bytes.size() ? b64[n & 63] : '=';
    }
    return out;
  };
  for (auto& rs : j["resourceSpans"])
    for (auto& ss : rs["scopeSpans"])
      for (auto& s : ss["spans"])
        for (const char* key : {"traceId", "spanId", "parentSpanId"})
          if (s.contains(key)) s[key] = convert(s[key].get<std::string>());
  return j.dump();
}

TEST(OtlpJson, IsAnExportTraceServiceRequestOfTheOfficialSchema) {
  auto spans = sample_spans();
  SpanConfig c;
  c.boot_id = kBoot;
  c.host_name = "node1";
  c.version = "9.9";
  std::string line = encode_otlp_json(make_resource(c), make_scope(c), spans);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto j = nlohmann::json::parse(line);
  const auto& span = j["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
  EXPECT_EQ(span["traceId"], "0af7651916cd43dd8448eb211c80319c");  // hex, as OTLP/JSON says
  EXPECT_EQ(span["kind"], 1);
  EXPECT_TRUE(span["startTimeUnixNano"].is_string());
  EXPECT_EQ(span["status"]["code"], 2);
  EXPECT_EQ(j["resourceSpans"][0]["schemaUrl"], kSchemaUrl);

  Request request;
  google::protobuf::util::JsonParseOptions strict;
  strict.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(hex_ids_to_base64(j), &request, strict);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(request.resource_spans_size(), 1);
  const auto& rs = request.resource_spans(0);
  EXPECT_EQ(rs.schema_url(), kSchemaUrl);
  std::map<std::string, std::string> resource;
  for (const auto& kv : rs.resource().attributes()) resource[kv.key()] = kv.value().string_value();
  EXPECT_EQ(resource["service.name"], "forktrace");
  EXPECT_EQ(resource["host.name"], "node1");
  const auto& ss = rs.scope_spans(0);
  EXPECT_EQ(ss.scope().name(), "forktrace");
  ASSERT_EQ(ss.spans_size(), 2);
  const auto& make = ss.spans(0);
  EXPECT_EQ(make.name(), "sh");
  EXPECT_EQ(make.status().code(), opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(make.parent_span_id(), ss.spans(1).span_id());
  EXPECT_EQ(make.start_time_unix_nano(), static_cast<uint64_t>(spans[0].start_unix_ns));
  EXPECT_EQ(ss.spans(1).events_size(), 1);

  // The protobuf encoding holds the same request.
  Request binary;
  ASSERT_TRUE(binary.ParseFromString(encode_otlp_proto(make_resource(c), make_scope(c), spans)));
  EXPECT_EQ(binary.SerializeAsString(), request.SerializeAsString());
}

TEST(OtlpUrl, AppendsTheTracesPath) {
  std::string shp, path, error;
  ASSERT_TRUE(parse_otlp_url("http://localhost:4318", shp, path, error));
  EXPECT_EQ(shp, "http://localhost:4318");
  EXPECT_EQ(path, "/v1/traces");
  ASSERT_TRUE(parse_otlp_url("https://otel.example:443/base/", shp, path, error));
  EXPECT_EQ(shp, "https://otel.example:443");
  EXPECT_EQ(path, "/base/v1/traces");
  EXPECT_FALSE(parse_otlp_url("localhost:4318", shp, path, error));
  EXPECT_NE(error.find("http://"), std::string::npos);
  EXPECT_FALSE(parse_otlp_url("http:///x", shp, path, error));
}

TEST(ExecEnv, KeepsTheJobMarkerThenAValidTraceContext) {
  Options o;
  o.format = Format::otlp;
  o.job_env = "CI_JOB_ID";
  std::vector<std::string> env = {"HOME=/root", std::string("TRACEPARENT=") + kParent, "TRACESTATE=a=b",
                                  "CI_JOB_ID=7"};
  reduce_exec_env(env, o);
  EXPECT_EQ(env, (std::vector<std::string>{"CI_JOB_ID=7", std::string("TRACEPARENT=") + kParent, "TRACESTATE=a=b"}));
  std::vector<std::string> bad = {"TRACEPARENT=nonsense", "TRACESTATE=a=b"};
  reduce_exec_env(bad, o);
  EXPECT_TRUE(bad.empty());
  o.format = Format::json;
  std::vector<std::string> unwanted = {std::string("TRACEPARENT=") + kParent, "CI_JOB_ID=7"};
  reduce_exec_env(unwanted, o);
  EXPECT_EQ(unwanted, (std::vector<std::string>{"CI_JOB_ID=7"}));
  // A trace context alone is not a job.
  Lineage model;
  Event exec = exec_of(kSh, 10, "/bin/sh", {"sh"}, kSec);
  exec.env = {std::string("TRACEPARENT=") + kParent};
  EXPECT_EQ(model.apply(exec)->job, "");
}

TEST(Redact, ReplacesWhatMatchesInEveryArgument) {
  Redactor r;
  std::string error;
  ASSERT_TRUE(r.add("token=[^ ]+", error));
  ASSERT_TRUE(r.add("^hunter2$", error));
  std::vector<std::string> argv = {"curl", "-H", "x token=abc y", "hunter2", "hunter22"};
  r.apply(argv);
  EXPECT_EQ(argv, (std::vector<std::string>{"curl", "-H", "x [redacted] y", "[redacted]", "hunter22"}));
  EXPECT_FALSE(r.add("(", error));
  EXPECT_NE(error.find("--redact"), std::string::npos);
}

}  // namespace
}  // namespace ft
