// forktrace → OTLP/HTTP → a receiver on loopback that answers 503 to the first
// requests, then decodes every body with the official schema. Every span
// arrives exactly once; the spans are the workload's processes with the right
// parents and statuses, in the TRACEPARENT's trace; the replay of the
// recording sends the same spans and writes the same OTLP/JSON.
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "run_command.h"

namespace ft::test {
namespace {

using Request = opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using PbSpan = opentelemetry::proto::trace::v1::Span;

constexpr const char* kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParentSpan = "00f067aa0ba902b7";

std::string hex(const std::string& bytes) {
  static constexpr char d[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

class Receiver {
 public:
  explicit Receiver(int refusals) {
    server_.Post("/v1/traces", [this, refusals](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      if (++requests <= refusals) {
        res.status = 503;
        return;
      }
      Request r;
      if (req.get_header_value("Content-Type") != "application/x-protobuf" || !r.ParseFromString(req.body)) {
        undecodable++;
        res.status = 400;
        return;
      }
      for (const auto& rs : r.resource_spans()) {
        for (const auto& kv : rs.resource().attributes()) resource[kv.key()] = kv.value().string_value();
        schema_url = rs.schema_url();
        for (const auto& ss : rs.scope_spans())
          for (const auto& s : ss.spans()) spans.push_back(s);
      }
      res.status = 200;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Receiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::mutex mutex;
  int requests = 0, undecodable = 0;
  std::vector<PbSpan> spans;
  std::map<std::string, std::string> resource;
  std::string schema_url;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

int64_t int_attr(const PbSpan& s, const std::string& key, int64_t fallback = -1) {
  for (const auto& kv : s.attributes())
    if (kv.key() == key) return kv.value().int_value();
  return fallback;
}

// Span IDs (hex) in the OTLP/JSON lines of `path`.
std::multiset<std::string> json_span_ids(const std::string& path) {
  std::multiset<std::string> ids;
  for (const auto& line : read_json_lines(path))
    for (const auto& rs : line["resourceSpans"])
      for (const auto& ss : rs["scopeSpans"])
        for (const auto& s : ss["spans"]) ids.insert(s["spanId"].get<std::string>());
  return ids;
}

// The spans against the process events of the same recording (JSON Lines).
void check_spans_match_processes(const std::vector<PbSpan>& spans, const std::vector<nlohmann::json>& events) {
  std::map<std::string, const PbSpan*> by_id;
  std::map<int64_t, std::vector<const PbSpan*>> by_pid;
  for (const PbSpan& s : spans) {
    EXPECT_TRUE(by_id.emplace(s.span_id(), &s).second) << "span twice: " << hex(s.span_id());
    by_pid[int_attr(s, "process.pid")].push_back(&s);
  }
  size_t exits = 0;
  std::map<int64_t, int64_t> forker;  // pid → the pid that forked it
  for (const auto& e : events) {
    if (e.value("thread", false)) continue;
    if (e["event"] == "fork") forker[e["pid"].get<int64_t>()] = e["parent_tid"].get<int64_t>();
    if (e["event"] != "exit") continue;
    exits++;
    int64_t pid = e["pid"].get<int64_t>();
    ASSERT_FALSE(by_pid[pid].empty()) << "no span for pid " << pid;
    // A reused pid has two processes: the one whose exit code matches.
    bool failed = e.value("exit_code", 0) != 0 || e.contains("signal");
    bool found = false;
    for (const PbSpan* s : by_pid[pid]) {
      bool same = e.contains("exit_code") ? int_attr(*s, "process.exit.code") == e["exit_code"].get<int64_t>()
                                          : int_attr(*s, "forktrace.process.signal") == e["signal"].get<int64_t>();
      if (!same) continue;
      found = true;
      EXPECT_EQ(s->status().code() == opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR, failed)
          << "pid " << pid;
      EXPECT_EQ(s->end_time_unix_nano(), e["ts_ns"].get<uint64_t>()) << "pid " << pid;
    }
    EXPECT_TRUE(found) << "no span with the status of pid " << pid;
  }
  EXPECT_EQ(spans.size(), exits) << "one span per process";
  // Every parent span is the forker's, within the trace, but the root's.
  size_t roots = 0;
  for (const PbSpan& s : spans) {
    EXPECT_EQ(hex(s.trace_id()), kTraceId);
    auto parent = by_id.find(s.parent_span_id());
    if (parent == by_id.end()) {
      roots++;
      EXPECT_EQ(hex(s.parent_span_id()), kParentSpan) << "the root hangs under TRACEPARENT's span";
      continue;
    }
    int64_t pid = int_attr(s, "process.pid");
    EXPECT_EQ(int_attr(*parent->second, "process.pid"), int_attr(s, "process.parent_pid"));
    if (forker.count(pid)) {
      // parent_tid is a thread of the forking process; its pid is the parent span's.
      EXPECT_EQ(int_attr(s, "process.parent_pid"), int_attr(*parent->second, "process.pid"));
    }
  }
  EXPECT_EQ(roots, 1u);
}

TEST(Otlp, LiveExportRetriesOn503AndEverySpanArrivesOnceInTheTraceparentTrace) {
  FT_REQUIRE_ROOT();
  Receiver receiver(2);
  std::string jsonl = temp_path("live.otlp.jsonl"), recording = temp_path("otlp.ftrace");
  Result traced = run({FORKTRACE_BIN, "--otlp", receiver.url(), "--format", "otlp", "-o", jsonl, "-w", recording,
                       "--", FT_WORKLOAD_BIN, "all"},
                      {std::string("TRACEPARENT=00-") + kTraceId + "-" + kParentSpan + "-01"});
  ASSERT_EQ(traced.exit_code(), 0) << traced.err;
  EXPECT_NE(traced.err.find("spans sent over OTLP, 0 dropped"), std::string::npos) << traced.err;

  Result events = run({FORKTRACE_BIN, "-r", recording, "--format", "json", "--threads"});
  ASSERT_EQ(events.exit_code(), 0) << events.err;
  std::lock_guard lock(receiver.mutex);
  EXPECT_GE(receiver.requests, 3);
  EXPECT_EQ(receiver.undecodable, 0);
  EXPECT_EQ(receiver.resource["service.name"], "forktrace");
  EXPECT_FALSE(receiver.resource["host.name"].empty());
  EXPECT_EQ(receiver.schema_url.rfind("https://opentelemetry.io/schemas/", 0), 0u);
  check_spans_match_processes(receiver.spans, parse_json_lines(events.out));

  // The OTLP/JSON file holds the same spans.
  std::multiset<std::string> sent;
  for (const PbSpan& s : receiver.spans) sent.insert(hex(s.span_id()));
  EXPECT_EQ(json_span_ids(jsonl), sent);

  // The replay sends the same spans again, and writes the same lines.
  Receiver again(0);
  Result replayed = run({FORKTRACE_BIN, "-r", recording, "--otlp", again.url(), "--format", "otlp"});
  ASSERT_EQ(replayed.exit_code(), 0) << replayed.err;
  EXPECT_EQ(replayed.out, read_file(jsonl));
  std::lock_guard lock2(again.mutex);
  std::multiset<std::string> resent;
  for (const PbSpan& s : again.spans) resent.insert(hex(s.span_id()));
  EXPECT_EQ(resent, sent);
}

TEST(Otlp, ReplayOfTheGoldenRecordingHasASpanPerProcessInOneTrace) {
  Receiver receiver(1);
  std::string golden = std::string(FT_GOLDEN_DIR) + "/basic.ftrace";
  Result replayed = run({FORKTRACE_BIN, "-r", golden, "--otlp", receiver.url(), "-o", "/dev/null"});
  ASSERT_EQ(replayed.exit_code(), 0) << replayed.err;
  Result events = run({FORKTRACE_BIN, "-r", golden, "--format", "json"});
  std::lock_guard lock(receiver.mutex);
  size_t exits = 0, failures = 0;
  for (const auto& e : parse_json_lines(events.out)) {
    if (e["event"] != "exit") continue;
    exits++;
    failures += e.value("exit_code", 0) != 0 || e.contains("signal");
  }
  EXPECT_EQ(failures, 16u);
  EXPECT_EQ(receiver.spans.size(), exits);
  std::set<std::string> traces;
  size_t errors = 0;
  for (const PbSpan& s : receiver.spans) {
    traces.insert(s.trace_id());
    errors += s.status().code() == opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR;
  }
  EXPECT_EQ(traces.size(), 1u);
  EXPECT_EQ(errors, failures);
}

TEST(Otlp, ABadUrlIsRefusedInOneLine) {
  Result r = run({FORKTRACE_BIN, "-r", std::string(FT_GOLDEN_DIR) + "/basic.ftrace", "--otlp", "localhost:4318"});
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_NE(r.err.find("http://"), std::string::npos) << r.err;
  Result h = run({FORKTRACE_BIN, "-r", std::string(FT_GOLDEN_DIR) + "/basic.ftrace", "--otlp-header", "x"});
  EXPECT_EQ(h.exit_code(), 2);
}

}  // namespace
}  // namespace ft::test
