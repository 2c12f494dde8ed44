// --tui's renderer on a large synthetic build (docs/benchmarks.md): 100,000
// processes (make → 100 sub-makes → sh → cc, 1 in 500 compiles failing),
// fed through the pipeline into the TuiModel while frames are laid out, as
// the UI thread does. Measures the intake cost the TUI adds (ratio against
// the same pipeline without it), the time one frame holds the pipeline's
// lock (what intake can wait), a keypress answered with its frame, and
// the memory the forest keeps.
//
//   ft-tui-bench [PROCESSES]
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "views/tree_view.h"
#include "views/tui/tui_model.h"
#include "views/tui/tui_view.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kMs = 1'000'000;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Heap in use, KiB (not the high-water mark: the runs before freed theirs).
long max_rss_kb() { return static_cast<long>(mallinfo2().uordblks / 1024); }

struct Build {
  std::vector<ft::Event> events;
};

ft::Event fork_of(uint32_t parent, uint64_t parent_start, uint32_t pid, uint64_t ts) {
  ft::Event e;
  e.kind = ft::EventKind::fork;
  e.ts_ns = ts;
  e.pid = e.tid = pid;
  e.ppid = e.parent_pid = e.parent_tid = parent;
  e.parent_start_ns = parent_start;
  e.start_ns = e.thread_start_ns = ts;
  e.comm = "make";
  return e;
}
ft::Event exec_of(uint32_t pid, uint64_t start, uint32_t ppid, std::vector<std::string> argv, uint64_t ts) {
  ft::Event e;
  e.kind = ft::EventKind::exec;
  e.ts_ns = ts;
  e.pid = e.tid = pid;
  e.ppid = ppid;
  e.start_ns = start;
  e.filename = "/usr/bin/" + argv[0];
  e.comm = argv[0];
  e.argv = std::move(argv);
  return e;
}
ft::Event exit_of(uint32_t pid, uint64_t start, uint32_t ppid, uint32_t status, uint64_t ts) {
  ft::Event e;
  e.kind = ft::EventKind::exit;
  e.ts_ns = ts;
  e.pid = e.tid = pid;
  e.ppid = ppid;
  e.start_ns = e.thread_start_ns = start;
  e.wait_status = status;
  return e;
}

// make → sub-makes → (sh -c → cc) pairs, in the order a -j8 build emits them.
Build make_build(size_t processes) {
  Build b;
  uint64_t ts = 1'000 * kMs;
  uint32_t next_pid = 1000;
  uint32_t root = next_pid++;
  uint64_t root_start = ts;
  b.events.push_back(fork_of(1, 0, root, ts));
  b.events.push_back(exec_of(root, root_start, 1, {"make", "-j8"}, ts + 1));
  size_t subs = 100;
  size_t per_sub = (processes - 1 - subs) / subs / 2;
  size_t failed = 0;
  for (size_t s = 0; s < subs; ++s) {
    uint32_t sub = next_pid++;
    uint64_t sub_start = ts += kMs;
    b.events.push_back(fork_of(root, root_start, sub, ts));
    b.events.push_back(exec_of(sub, sub_start, root, {"make", "-C", "dir" + std::to_string(s)}, ts += 1000));
    for (size_t j = 0; j < per_sub; ++j) {
      uint32_t sh = next_pid++;
      uint64_t sh_start = ts += 100'000;
      b.events.push_back(fork_of(sub, sub_start, sh, ts));
      b.events.push_back(exec_of(sh, sh_start, sub, {"sh", "-c", "cc -O2 -c file" + std::to_string(j) + ".c"}, ts += 1000));
      uint32_t cc = next_pid++;
      uint64_t cc_start = ts += 1000;
      b.events.push_back(fork_of(sh, sh_start, cc, ts));
      std::vector<std::string> argv{"cc", "-O2", "-Wall", "-I../include", "-DNDEBUG", "-c",
                                    "file" + std::to_string(j) + ".c", "-o", "file" + std::to_string(j) + ".o"};
      b.events.push_back(exec_of(cc, cc_start, sh, argv, ts += 1000));
      bool fail = (sh % 500) == 0;
      failed += fail;
      b.events.push_back(exit_of(cc, cc_start, sh, fail ? 1u << 8 : 0, ts += 50 * kMs));
      b.events.push_back(exit_of(sh, sh_start, sub, fail ? 1u << 8 : 0, ts += 1000));
    }
    b.events.push_back(exit_of(sub, sub_start, root, 0, ts += 1000));
  }
  b.events.push_back(exit_of(root, root_start, 1, 0, ts += kMs));
  std::fprintf(stderr, "%zu events, %u processes, %zu failed compiles\n", b.events.size(), next_pid - 1000, failed);
  return b;
}

struct Stats {
  double median, p99, max;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}

}  // namespace

int main(int argc, char** argv) {
  size_t processes = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100'000;
  Build build = make_build(processes);

  // Intake alone, without the TUI: the baseline.
  double baseline_ms;
  {
    ft::Pipeline pipeline(false);
    auto t = Clock::now();
    for (const ft::Event& e : build.events) pipeline.feed(e);
    baseline_ms = ms_since(t);
  }
  // The tree view keeps the same forest (every process of the trace): the fair baseline.
  double tree_ms;
  {
    std::FILE* null = std::fopen("/dev/null", "w");
    ft::Pipeline pipeline(false);
    pipeline.add_sink(std::make_unique<ft::TreeView>(null, ft::ViewOptions{}));
    auto t = Clock::now();
    for (const ft::Event& e : build.events) pipeline.feed(e);
    tree_ms = ms_since(t);
    std::fclose(null);
  }
  long rss_before = max_rss_kb();

  // Intake into the TUI under the lock, a frame laid out every 1/10 of the
  // events (as a 10 fps UI thread would see a build this size).
  std::mutex lock;
  ft::tui::TuiModel model(ft::tui::TuiOptions{ft::TraceClock{}, true, true, true, "make -j8", {}});
  ft::Pipeline pipeline(false);
  pipeline.add_sink(std::make_unique<ft::tui::TuiView>(model));
  pipeline.set_lock(&lock);
  ft::tui::FrameContext ctx;
  ctx.width = 160;
  ctx.height = 50;
  std::vector<double> frames_live;
  double intake_ms = 0;
  size_t step = build.events.size() / 200 + 1;
  for (size_t i = 0; i < build.events.size(); i += step) {
    auto t = Clock::now();
    for (size_t k = i; k < std::min(build.events.size(), i + step); ++k) pipeline.feed(build.events[k]);
    intake_ms += ms_since(t);
    t = Clock::now();
    std::lock_guard<std::mutex> guard(lock);
    model.frame(ctx);
    frames_live.push_back(ms_since(t));
  }
  long rss_after = max_rss_kb();  // the model's live processes are few by now: this is the forest
  model.finish("ended: exit 0");

  auto time_keys = [&](const char* what, const std::string& keys, int repeat) {
    std::vector<double> v;
    for (int r = 0; r < repeat; ++r) {
      auto t = Clock::now();
      for (char k : keys) model.key(k == '\r' ? int{ft::tui::kEnter} : int{k}, 48);
      model.frame(ctx);
      v.push_back(ms_since(t));
    }
    Stats s = stats(v);
    std::printf("| %-44s | %8.2f | %8.2f |\n", what, s.median, s.max);
  };
  Stats live = stats(frames_live);
  std::printf("processes: %zu, events: %zu\n", processes, build.events.size());
  std::printf("intake, no view: %.1f ms (%.0f ns/event); --format tree: %.1f ms (%.2fx); --tui with 200 frames "
              "between: %.1f ms (%.2fx, %.2fx the tree view)\n",
              baseline_ms, baseline_ms * 1e6 / build.events.size(), tree_ms, tree_ms / baseline_ms, intake_ms,
              intake_ms / baseline_ms, intake_ms / tree_ms);
  std::printf("heap the TUI keeps (model + forest + its arrays): %ld KiB, %.0f bytes/process\n", rss_after - rss_before,
              (rss_after - rss_before) * 1024.0 / processes);
  std::printf("\n| what (160x50 terminal) | median ms | max ms |\n| --- | --- | --- |\n");
  std::printf("| %-44s | %8.2f | %8.2f |\n", "frame during intake (lock held)", live.median, live.max);
  time_keys("frame of the finished build (folded)", "", 20);
  time_keys("key j + frame", "j", 50);
  time_keys("key f (failures only) + frame", "f", 20);
  time_keys("key / search + Enter + frame (cc file7.c)", "/file77.c\r", 10);
  time_keys("key n (next match) + frame", "n", 20);
  time_keys("key G (last row) + frame", "G", 20);
  return 0;
}
