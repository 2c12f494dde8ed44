// Containers in every view (issue 25, point 3): the mark where a container
// begins (text, tree), the per-container roll-up (--summary, its JSON, the
// analysis under it), the TUI's details, the HTML report's process details,
// the OTLP span attributes and the metrics' container label. One podman run
// as forktrace sees it: podman forks conmon, conmon the container's first
// process (nspid 1), which moves into the container's cgroup at its exec.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "analysis/containers.h"
#include "event_builders.h"
#include "export/otel/span_builder.h"
#include "pipeline/pipeline.h"
#include "read_all.h"
#include "service/metrics.h"
#include "views/html_view.h"
#include "views/report_text.h"
#include "views/summary_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"
#include "views/tui/tui_model.h"
#include "views/tui/tui_view.h"

namespace ft {
namespace {

using namespace ft::test;
using Json = nlohmann::json;

const std::string kId = "b22c5196ea675be45937896a6b1c898475f1760c263629450054343c2d20aff9";
const std::string kPodmanCgroup = "/libpod_parent/libpod-" + kId;
constexpr uint64_t kPodmanCgroupId = 7001;
const Id kTracer{100, Lineage::kDefaultProcTickNs + 5};
const Id kPodman{200, 10 * kSec}, kConmon{201, 10 * kSec + kMs}, kInit{202, 10 * kSec + 2 * kMs};
const Id kSleep{203, 10 * kSec + 3 * kMs};

Event in_cgroup(Event e, const std::string& cgroup, uint64_t id, uint32_t nspid = 0) {
  e.cgroup = cgroup;
  e.cgroup_id = id;
  e.nspid = nspid;
  return e;
}

ResourceUsage cpu(uint64_t ms) {
  ResourceUsage u;
  u.cpu_user_ns = ms * kMs;
  u.max_rss_kb = 1024;
  return u;
}

// forktrace -- podman run: podman (200) → conmon (201) → sh (202, the
// container's first process, nspid 1, exit 1) → sleep (203, nspid 2).
void feed_podman_run(Pipeline& p) {
  p.model().seed({seed_of(kTracer.pid, 1, kTracer.start_ns, "forktrace", "/usr/bin/forktrace", {"forktrace", "--"})});
  const std::string user = "/user.slice", conmon = "/libpod_parent/conmon";
  p.feed(in_cgroup(fork_of(kTracer, kPodman, 0, "forktrace"), user, 10));
  p.feed(in_cgroup(exec_of(kPodman, 100, "/usr/bin/podman", {"podman", "run", "ft-busybox"}, kPodman.start_ns + kUs), user, 10));
  p.feed(in_cgroup(fork_of(kPodman, kConmon, 0, "podman"), user, 10));
  p.feed(in_cgroup(exec_of(kConmon, 200, "/usr/bin/conmon", {"conmon"}, kConmon.start_ns + kUs), conmon, 11));
  p.feed(in_cgroup(fork_of(kConmon, kInit, 0, "conmon"), conmon, 11, 1));
  p.feed(in_cgroup(exec_of(kInit, 201, "/bin/sh", {"/bin/sh", "-c", "sleep 0.1; false"}, kInit.start_ns + kMs),
                   kPodmanCgroup, kPodmanCgroupId, 1));
  p.feed(in_cgroup(fork_of(kInit, kSleep, 0, "sh"), kPodmanCgroup, kPodmanCgroupId, 2));
  p.feed(in_cgroup(exec_of(kSleep, 202, "/bin/sleep", {"sleep", "0.1"}, kSleep.start_ns + kUs), kPodmanCgroup,
                   kPodmanCgroupId, 2));
  Event e = in_cgroup(exit_of(kSleep, 202, exited_with(0), kSleep.start_ns + 100 * kMs, 0, "sleep"), kPodmanCgroup,
                      kPodmanCgroupId);
  e.usage = cpu(2);
  p.feed(e);
  e = in_cgroup(exit_of(kInit, 201, exited_with(1), kInit.start_ns + 110 * kMs), kPodmanCgroup, kPodmanCgroupId);
  e.usage = cpu(3);
  p.feed(e);
  p.feed(in_cgroup(exit_of(kConmon, 200, exited_with(0), kConmon.start_ns + 120 * kMs, 0, "conmon"), conmon, 11));
  p.feed(in_cgroup(exit_of(kPodman, 100, exited_with(1), kPodman.start_ns + 130 * kMs, 0, "podman"), user, 10));
}

class ContainerViews : public testing::Test {
 protected:
  void SetUp() override { out = std::tmpfile(); }
  void TearDown() override { std::fclose(out); }
  ViewOptions options() {
    ViewOptions o{TraceClock{1'700'000'000'000'000'000}, false, false};
    o.scope.filtered = true;
    o.scope.traced_command = {"podman", "run", "ft-busybox"};
    return o;
  }
  std::string run(std::unique_ptr<Sink> view) {
    Pipeline p(false);
    p.add_sink(std::move(view));
    feed_podman_run(p);
    p.finish();
    return read_all(out);
  }
  std::FILE* out = nullptr;
};

std::vector<std::string> lines_with(const std::string& s, const std::string& needle) {
  std::vector<std::string> found;
  for (size_t at = 0; at < s.size();) {
    size_t end = s.find('\n', at);
    std::string line = s.substr(at, end - at);
    if (line.find(needle) != std::string::npos) found.push_back(line);
    at = end == std::string::npos ? s.size() : end + 1;
  }
  return found;
}

TEST(ContainerMark, WhereAContainerBeginsOrIsLeft) {
  Container a{kId, "podman", ""}, b{"0123456789ab" + kId.substr(12), "docker", ""};
  EXPECT_EQ(container_mark(&a, nullptr, 202, 1), "  container=b22c5196ea67  nspid=1");
  EXPECT_EQ(container_mark(&a, &a, 203, 2), "") << "inside: nothing";
  EXPECT_EQ(container_mark(&b, &a, 204, 5), "  container=0123456789ab  nspid=5");
  EXPECT_EQ(container_mark(nullptr, &a, 205, 0), "  container=-");
  EXPECT_EQ(container_mark(nullptr, nullptr, 206, 1), "  nspid=1") << "a PID namespace without a container";
  EXPECT_EQ(container_mark(nullptr, nullptr, 207, 0), "");
  EXPECT_EQ(container_text(a), "b22c5196ea67 (podman)");
  EXPECT_EQ(container_text(Container{kId, "cri-o", "0f3e2a1b-9c8d"}), "b22c5196ea67 (cri-o, pod 0f3e2a1b-9c8d)");
  EXPECT_EQ(container_text(Container{kId, "", ""}), "b22c5196ea67");
}

TEST_F(ContainerViews, TextMarksTheLineWhereTheContainerBegins) {
  std::string s = run(std::make_unique<TextView>(out, options()));
  std::vector<std::string> marked = lines_with(s, "container=");
  ASSERT_EQ(marked.size(), 1u) << s;
  // Its fork: a new PID namespace already, the container's cgroup not yet.
  EXPECT_NE(s.find("fork      202     201 conmon             nspid=1\n"), std::string::npos) << s;
  EXPECT_NE(marked[0].find("exec      202     201 sh               /bin/sh  /bin/sh -c 'sleep 0.1; false'  container=b22c5196ea67  nspid=1"), std::string::npos) << s;
}

TEST_F(ContainerViews, TreeMarksTheContainersFirstProcess) {
  std::string s = run(std::make_unique<TreeView>(out, options()));
  std::vector<std::string> marked = lines_with(s, "container=");
  ASSERT_EQ(marked.size(), 1u) << s;
  EXPECT_NE(marked[0].find("202 /bin/sh -c 'sleep 0.1; false'  exit 1"), std::string::npos) << s;
  EXPECT_NE(marked[0].find("container=b22c5196ea67  nspid=1"), std::string::npos) << s;
  EXPECT_EQ(lines_with(s, "nspid=2").size(), 0u) << "inside the container nothing more is marked:\n" << s;
}

TEST_F(ContainerViews, PerContainerRollUp) {
  Pipeline p(false);
  analysis::TraceBuilder builder(options().scope);
  struct Feed : Sink {
    explicit Feed(analysis::TraceBuilder& b) : b(b) {}
    void on_event(const Event& e, const Process& pr) override { b.on_event(e, pr); }
    void on_lost(const Event& e) override { b.on_lost(e); }
    analysis::TraceBuilder& b;
  };
  p.add_sink(std::make_unique<Feed>(builder));
  feed_podman_run(p);
  const analysis::Trace& t = builder.trace();
  std::vector<analysis::ContainerStats> c = analysis::per_container(t);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].container->id, kId);
  EXPECT_EQ(c[0].container->runtime, "podman");
  EXPECT_EQ(c[0].processes, 2u) << "sh and sleep; conmon beside it is not in it";
  EXPECT_EQ(c[0].failed, 1u);
  EXPECT_EQ(c[0].running, 0u);
  EXPECT_EQ(c[0].cpu_ns, 5 * kMs);
  EXPECT_EQ(c[0].with_usage, 2u);
  EXPECT_EQ(t.steps[c[0].init_step].pid, kInit.pid);
  EXPECT_EQ(t.steps[c[0].init_step].nspid, 1u);
  EXPECT_EQ(c[0].wall_ns(), 110 * kMs) << "sh's start to its end";
  EXPECT_EQ(t.containers.size(), 1u) << "each container kept once";
}

// As runc runs a container: `runc init` is in the container's cgroup first,
// in the host's PID namespace; the command it starts is pid 1 inside.
TEST(PerContainer, InitIsItsPidOneAndContainersComeInTheOrderTheyStarted) {
  analysis::Trace t;
  const Container& x = t.containers.emplace_back(Container{kId, "podman", ""});
  const Container& y = t.containers.emplace_back(Container{std::string(64, 'c'), "cri-o", "0f3e2a1b-9c8d"});
  auto step = [&](uint32_t pid, const Container* c, uint32_t nspid, uint64_t start, uint64_t end, int code) {
    analysis::Step s;
    s.pid = pid;
    s.container = c;
    s.nspid = nspid;
    s.start_ns = start;
    s.exited = end != 0;
    s.exit_ns = end;
    s.wait_status = exited_with(code);
    return t.add(s);
  };
  step(10, nullptr, 0, 1 * kSec, 9 * kSec, 0);            // podman: outside
  step(11, &x, 0, 2 * kSec, 3 * kSec, 0);                 // runc init
  uint32_t sh = step(12, &x, 1, 2 * kSec + kMs, 5 * kSec, 2);
  step(13, &x, 2, 3 * kSec, 4 * kSec, 0);
  step(20, &y, 1, 1'500 * kMs, 0, 0);                     // still running
  t.last_ns = 10 * kSec;
  std::vector<analysis::ContainerStats> c = analysis::per_container(t);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].container, &y);
  EXPECT_EQ(c[0].running, 1u);
  EXPECT_EQ(c[0].wall_ns(), 8'500 * kMs) << "to the trace's end while running";
  EXPECT_EQ(c[1].container, &x);
  EXPECT_EQ(c[1].processes, 3u);
  EXPECT_EQ(c[1].failed, 1u);
  EXPECT_EQ(c[1].init_step, sh) << "pid 1 inside, not runc init";
  EXPECT_EQ(c[1].wall_ns(), 3 * kSec) << "runc init's start to sh's end";
  EXPECT_EQ(c[1].with_usage, 0u);
  // --summary's table has a pod column where a container names its pod.
  std::FILE* out = std::tmpfile();
  print_report(out, t, analysis::analyze_build(t), TextReportOptions{});
  std::string text = read_all(out);
  std::fclose(out);
  EXPECT_NE(text.find("POD "), std::string::npos) << text;
  EXPECT_NE(text.find("  cccccccccccc cri-o      0f3e2a1b-9c8d                                1       0          -      8.50s  [] "
                      " pid 20 (nspid 1)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  b22c5196ea67 podman     -                                            3       1"), std::string::npos) << text;
}

TEST(PerContainer, NoneWithoutContainers) {
  analysis::Trace t;
  analysis::Step s;
  s.pid = 5;
  t.add(s);
  EXPECT_TRUE(analysis::per_container(t).empty());
}

TEST_F(ContainerViews, SummaryHasAContainersSection) {
  std::string s = run(std::make_unique<SummaryView>(out, options()));
  size_t at = s.find("\nContainers (1;");
  ASSERT_NE(at, std::string::npos) << s;
  EXPECT_NE(s.find("  b22c5196ea67 podman             2       1      5.0ms    110.0ms  /bin/sh -c 'sleep 0.1; false'  "
                   "pid 202 (nspid 1)\n",
                   at),
            std::string::npos)
      << s;
  EXPECT_EQ(s.find("POD"), std::string::npos) << "no pod column where no container names one";
}

TEST_F(ContainerViews, SummaryJsonHasContainers) {
  Json j = Json::parse(run(std::make_unique<SummaryView>(out, options(), /*json=*/true)));
  ASSERT_TRUE(j.contains("containers")) << j.dump();
  ASSERT_EQ(j["containers"].size(), 1u);
  const Json& c = j["containers"][0];
  EXPECT_EQ(c["id"], kId);
  EXPECT_EQ(c["runtime"], "podman");
  EXPECT_FALSE(c.contains("pod_uid"));
  EXPECT_EQ(c["processes"], 2);
  EXPECT_EQ(c["failed"], 1);
  EXPECT_EQ(c["cpu_ns"], 5 * kMs);
  EXPECT_EQ(c["wall_ns"], 110 * kMs);
  EXPECT_EQ(c["init_pid"], 202);
  // The processes the report names say their container too.
  Json sh, podman;
  for (const Json& f : j["failures"]) (f["pid"] == 202 ? sh : podman) = f;
  ASSERT_FALSE(sh.is_null()) << j["failures"].dump();
  EXPECT_EQ(sh["container"]["id"], kId);
  EXPECT_EQ(sh["nspid"], 1);
  EXPECT_EQ(podman["pid"], 200);
  EXPECT_FALSE(podman.contains("container")) << "podman itself is outside";
  EXPECT_FALSE(podman.contains("nspid"));
}

TEST_F(ContainerViews, HtmlDetailsHaveTheContainer) {
  std::string page = run(std::make_unique<HtmlView>(out, options()));
  const std::string open = "<script type=\"application/json\" id=\"ft-data\">";
  size_t from = page.find(open) + open.size();
  Json data = Json::parse(page.substr(from, page.find("</script>", from) - from));
  const Json& procs = data["procs"];
  ASSERT_TRUE(procs.contains("container")) << procs.dump();
  EXPECT_EQ(procs["pid"], Json({200, 201, 202, 203}));
  std::vector<std::string> shown;
  for (const Json& i : procs["container"]) shown.push_back(data["strings"][i.get<size_t>()]);
  EXPECT_EQ(shown, (std::vector<std::string>{"", "", "b22c5196ea67 (podman)", "b22c5196ea67 (podman)"}));
  EXPECT_EQ(procs["nspid"], Json({0, 0, 1, 2}));
}

TEST(ContainerTui, DetailsNameTheContainerAndNspid) {
  tui::TuiOptions o;
  o.clock = TraceClock{0};
  o.live = false;
  o.title = "podman run";
  tui::TuiModel model(o);
  Pipeline p(false);
  p.add_sink(std::make_unique<tui::TuiView>(model));
  feed_podman_run(p);
  model.finish("ended: exit 1");
  for (int k : std::string("d/sleep")) model.key(k);
  model.key(tui::kEnter);  // the search opens the folded subtree and selects sh (its argv holds "sleep")
  tui::FrameContext c;
  c.width = 100;
  c.height = 40;
  std::string frame = model.frame(c).dump();
  ASSERT_NE(frame.find("details of 202"), std::string::npos) << frame;
  EXPECT_NE(frame.find(" container b22c5196ea67 (podman)\n"), std::string::npos) << frame;
  EXPECT_NE(frame.find(" nspid    1 (its pid inside the container's PID namespace)\n"), std::string::npos) << frame;
}

TEST(ContainerSpans, AttributesFollowSemanticConventions) {
  std::vector<otel::Span> spans;
  struct Collect : Sink {
    explicit Collect(std::vector<otel::Span>& out)
        : builder(otel::SpanConfig{"boot", "host", "1", 0, otel::TraceScope::command},
                  [&out](otel::Span&& s, bool) { out.push_back(std::move(s)); }) {}
    void on_event(const Event& e, const Process& p) override { builder.on_event(e, p); }
    void on_lost(const Event& e) override { builder.on_lost(e); }
    void finish() override { builder.finish(); }
    otel::SpanBuilder builder;
  };
  Pipeline p(false);
  p.add_sink(std::make_unique<Collect>(spans));
  feed_podman_run(p);
  p.finish();
  auto attrs = [&](int64_t pid) {
    std::map<std::string, otel::Attribute> found;
    for (const otel::Span& s : spans)
      if (std::get<int64_t>(s.attributes.front().value) == pid)
        for (const otel::Attribute& a : s.attributes) found[a.key] = a;
    return found;
  };
  auto init = attrs(202), conmon = attrs(201);
  ASSERT_TRUE(init.count("container.id")) << "spans: " << spans.size();
  EXPECT_EQ(std::get<std::string>(init["container.id"].value), kId);
  EXPECT_EQ(std::get<std::string>(init["container.runtime"].value), "podman");
  EXPECT_EQ(std::get<int64_t>(init["process.vpid"].value), 1);
  EXPECT_FALSE(init.count("k8s.pod.uid")) << "podman names no pod";
  EXPECT_FALSE(conmon.count("container.id"));
  EXPECT_FALSE(conmon.count("process.vpid"));
}

TEST(ContainerMetrics, ExitsByContainerBoundedAndOnlyWithContainers) {
  Metrics plain;
  std::string before = plain.render();
  EXPECT_EQ(before.find("container"), std::string::npos) << "no container series without containers";
  Metrics metrics;
  Pipeline p(false);
  struct Forward : Sink {
    explicit Forward(Metrics& m) : m(m) {}
    void on_event(const Event& e, const Process& pr) override { m.on_event(e, pr); }
    void on_lost(const Event& e) override { m.on_lost(e); }
    Metrics& m;
  };
  p.add_sink(std::make_unique<Forward>(metrics));
  feed_podman_run(p);
  std::string text = metrics.render();
  EXPECT_NE(text.find("forktrace_container_processes_exited_total{container=\"b22c5196ea67\",outcome=\"ok\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("forktrace_container_processes_exited_total{container=\"b22c5196ea67\",outcome=\"failed\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("forktrace_processes_exited_total{outcome=\"failed\"} 2\n"), std::string::npos)
      << "the existing series unchanged:\n" << text;
  // Past kMaxContainers distinct containers, the rest count as "other".
  Lineage model;
  for (uint32_t i = 0; i < Metrics::kMaxContainers + 3; ++i) {
    std::string id = fmt::format("{:012x}{}", i + 1, std::string(52, 'a'));
    Event e = in_cgroup(exit_of({1000 + i, kSec}, 1, exited_with(0), 2 * kSec), "/docker/" + id, 9000 + i);
    metrics.on_event(e, *model.apply(e));
  }
  text = metrics.render();
  EXPECT_NE(text.find("{container=\"other\",outcome=\"ok\"} 4\n"), std::string::npos) << text;
  size_t series = 0;
  for (size_t at = text.find("forktrace_container_processes_exited_total{"); at != std::string::npos;
       at = text.find("forktrace_container_processes_exited_total{", at + 1))
    series++;
  EXPECT_EQ(series, 3 * (Metrics::kMaxContainers + 1));
}

}  // namespace
}  // namespace ft
