// User space alone, on one core (docs/benchmarks.md): the kernel's records,
// synthesized in memory the way a parallel build produces them, through
// decoding, the lineage model, each view and the recording, in events/second.
//
//   ft-userspace-bench [JOBS] [--repeat N] [--only STAGE]
//
// JOBS compile jobs (default 250,000: 3 million events), each the twelve
// records of make → sh -c → gcc → cc1, as: four forks, four execs with real-
// length argv, four exits, eight jobs in flight at once, pids wrapping at
// 32768 as on a default kernel. Every stage runs N times (default 3) on one
// pinned CPU; the table shows the median.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "core/decode.h"
#include "host/proc.h"
#include "host/cgroup_resolver.h"
#include "recording/trace_reader.h"
#include "recording/trace_writer.h"
#include "views/json_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

extern "C" {
#include "forktrace.h"
}

namespace {

// The records back to back, 8-byte aligned, as they sit in the ring buffer.
struct Records {
  std::vector<uint64_t> words;  // storage with the ring's alignment
  std::vector<std::pair<size_t, uint32_t>> spans;  // byte offset, size
  size_t bytes = 0;
  size_t argv_bytes = 0;

  void add(const void* data, uint32_t size) {
    size_t padded = (size + 7) & ~size_t{7};
    words.resize((bytes + padded) / 8);
    std::memcpy(reinterpret_cast<char*>(words.data()) + bytes, data, size);
    spans.emplace_back(bytes, size);
    bytes += padded;
  }
  const char* at(size_t offset) const { return reinterpret_cast<const char*>(words.data()) + offset; }
};

std::string join_nul(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += a + '\0';
  return out;
}

// One job's processes: sh -c "gcc ...", gcc, cc1, as.
struct Job {
  uint32_t sh, gcc, cc1, as;
  uint64_t sh_start, gcc_start, cc1_start, as_start;
  int step = 0;
  size_t index = 0;
};

class Synthesizer {
 public:
  Synthesizer(uint64_t cgroup_id) : cgroup_id_(cgroup_id) {}

  Records run(size_t jobs, size_t in_flight) {
    std::vector<Job> slots(in_flight);
    size_t started = 0, done = 0;
    for (auto& s : slots) start(s, started++);
    // Round robin over the jobs in flight, one record each: interleaved as a
    // parallel build's records are.
    while (done < jobs) {
      for (auto& s : slots) {
        if (s.step < 0) continue;
        if (!step(s)) {
          done++;
          if (started < jobs)
            start(s, started++);
          else
            s.step = -1;
        }
      }
    }
    return std::move(out_);
  }

  static constexpr uint32_t kMake = 1000;  // the seeded top make
  static constexpr uint64_t kMakeStart = 5'000'000'000;

 private:
  uint32_t next_pid() {
    pid_ = pid_ >= 32767 ? 1100 : pid_ + 1;
    return pid_;
  }
  uint64_t tick(uint64_t ns) { return ts_ += ns; }

  void start(Job& j, size_t index) {
    j = Job{};
    j.index = index;
  }

  void fork(uint32_t parent, uint64_t parent_start, uint32_t child, uint64_t child_start, const char* comm) {
    ft_fork_record f = {};
    f.head = {child_start, FT_RECORD_FORK, sizeof f};
    f.child_start_ns = child_start;
    f.parent_start_ns = parent_start;
    f.cgroup_id = cgroup_id_;
    f.parent_pid = f.parent_tid = parent;
    f.child_pid = f.child_tid = child;
    f.child_ppid = parent;
    std::strncpy(f.comm, comm, sizeof f.comm - 1);
    out_.add(&f, sizeof f);
  }

  void exec(uint32_t pid, uint32_t ppid, uint64_t start, const char* file, const std::vector<std::string>& argv) {
    alignas(8) char buf[FT_EXEC_RECORD_MAX] = {};
    auto* e = reinterpret_cast<ft_exec_record*>(buf);
    std::string args = join_nul(argv);
    if (args.size() > FT_ARGS_MAX) std::abort();
    e->head = {tick(40'000), FT_RECORD_EXEC, 0};
    e->start_ns = start;
    e->cgroup_id = cgroup_id_;
    e->pid = e->tid = e->old_tid = pid;
    e->ppid = ppid;
    const char* base = std::strrchr(file, '/') + 1;
    std::strncpy(e->comm, base, sizeof e->comm - 1);
    e->filename_len = static_cast<uint16_t>(std::strlen(file) + 1);
    std::memcpy(e->data, file, e->filename_len);
    e->args_len = static_cast<uint16_t>(args.size());
    std::memcpy(e->data + e->filename_len, args.data(), args.size());
    e->head.size = static_cast<uint32_t>(sizeof *e + e->filename_len + e->args_len + 7) & ~7u;
    out_.argv_bytes += args.size();
    out_.add(buf, e->head.size);
  }

  void exit(uint32_t pid, uint32_t ppid, uint64_t start, const char* comm, uint32_t status) {
    ft_exit_record x = {};
    x.head = {tick(30'000), FT_RECORD_EXIT, sizeof x};
    x.start_ns = x.process_start_ns = start;
    x.cgroup_id = cgroup_id_;
    x.pid = x.tid = pid;
    x.ppid = ppid;
    x.exit_code = status;
    x.flags = FT_EXIT_GROUP_DEAD;
    std::strncpy(x.comm, comm, sizeof x.comm - 1);
    out_.add(&x, sizeof x);
  }

  // Emits the job's next record; false when the job has ended.
  bool step(Job& j) {
    std::string src = "src/dir" + std::to_string(j.index % 37) + "/module_" + std::to_string(j.index % 1009) + ".c";
    std::string obj = "build/dir" + std::to_string(j.index % 37) + "/module_" + std::to_string(j.index % 1009) + ".o";
    std::vector<std::string> flags = {"-O2", "-g", "-Wall", "-Wextra", "-fPIC", "-DNDEBUG", "-D_GNU_SOURCE",
                                      "-Iinclude", "-Ibuild/generated", "-I/usr/include/glib-2.0",
                                      "-std=gnu11", "-MD", "-MT", obj, "-MF", obj + ".d"};
    switch (j.step++) {
      case 0:
        j.sh = next_pid();
        j.sh_start = tick(20'000);
        fork(kMake, kMakeStart, j.sh, j.sh_start, "make");
        return true;
      case 1: {
        std::string cmd = "gcc";
        for (const auto& f : flags) cmd += " " + f;
        cmd += " -c " + src + " -o " + obj;
        exec(j.sh, kMake, j.sh_start, "/bin/sh", {"/bin/sh", "-c", cmd});
        return true;
      }
      case 2:
        j.gcc = next_pid();
        j.gcc_start = tick(20'000);
        fork(j.sh, j.sh_start, j.gcc, j.gcc_start, "sh");
        return true;
      case 3: {
        std::vector<std::string> argv = {"gcc"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        argv.insert(argv.end(), {"-c", src, "-o", obj});
        exec(j.gcc, j.sh, j.gcc_start, "/usr/bin/gcc", argv);
        return true;
      }
      case 4:
        j.cc1 = next_pid();
        j.cc1_start = tick(20'000);
        fork(j.gcc, j.gcc_start, j.cc1, j.cc1_start, "gcc");
        return true;
      case 5: {
        std::vector<std::string> argv = {"/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "-quiet", "-Iinclude",
                                         "-Ibuild/generated", "-I/usr/include/glib-2.0", "-imultiarch",
                                         "x86_64-linux-gnu", "-MD", obj + ".d", "-MF", obj + ".d", "-MT", obj,
                                         "-D", "NDEBUG", "-D", "_GNU_SOURCE", src, "-quiet", "-dumpdir",
                                         "build/", "-dumpbase", "module.c", "-dumpbase-ext", ".c",
                                         "-mtune=generic", "-march=x86-64", "-g", "-O2", "-Wall", "-Wextra",
                                         "-std=gnu11", "-fPIC", "-fasynchronous-unwind-tables", "-o",
                                         "/tmp/ccAbCdEf.s"};
        exec(j.cc1, j.gcc, j.cc1_start, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", argv);
        return true;
      }
      case 6:
        exit(j.cc1, j.gcc, j.cc1_start, "cc1", 0);
        return true;
      case 7:
        j.as = next_pid();
        j.as_start = tick(20'000);
        fork(j.gcc, j.gcc_start, j.as, j.as_start, "gcc");
        return true;
      case 8:
        exec(j.as, j.gcc, j.as_start, "/usr/bin/as", {"as", "--gdwarf-5", "--64", "-o", obj, "/tmp/ccAbCdEf.s"});
        return true;
      case 9:
        exit(j.as, j.gcc, j.as_start, "as", 0);
        return true;
      case 10:
        exit(j.gcc, j.sh, j.gcc_start, "gcc", j.index % 97 == 0 ? 1 << 8 : 0);
        return true;
      case 11:
        exit(j.sh, kMake, j.sh_start, "sh", j.index % 97 == 0 ? 1 << 8 : 0);
        return false;
    }
    return false;
  }

  Records out_;
  uint64_t cgroup_id_;
  uint32_t pid_ = 1100;
  uint64_t ts_ = 10'000'000'000;
};

// The benchmark's own cgroup v2 id, so path resolution hits a real cgroup.
uint64_t own_cgroup_id(const std::string& mount) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    struct stat st;
    if (!mount.empty() && stat((mount + line.substr(3)).c_str(), &st) == 0) return st.st_ino;
  }
  return 0;
}

struct Result {
  std::string name;
  double rate;
};

}  // namespace

int main(int argc, char** argv) {
  size_t jobs = 250'000;
  int repeat = 3;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--repeat" && i + 1 < argc)
      repeat = std::atoi(argv[++i]);
    else if (a == "--only" && i + 1 < argc)
      only = argv[++i];
    else if (!a.empty() && a[0] != '-')
      jobs = std::strtoul(a.c_str(), nullptr, 10);
    else {
      std::fprintf(stderr, "usage: ft-userspace-bench [JOBS] [--repeat N] [--only STAGE]\n");
      return 2;
    }
  }

  // One core: the one this started on.
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(sched_getcpu(), &cpus);
  sched_setaffinity(0, sizeof cpus, &cpus);

  std::string mount = ft::find_cgroup2_mount();
  Records records = Synthesizer(own_cgroup_id(mount)).run(jobs, 8 /* jobs in flight */);
  size_t events = records.spans.size();
  std::printf("%zu events (%zu jobs of make → sh → gcc → cc1, as; 8 in flight), %.1f MB of records, "
              "%.0f bytes of argv per exec; one CPU, median of %d\n\n",
              events, jobs, records.bytes / 1e6, static_cast<double>(records.argv_bytes) / (jobs * 4.0), repeat);
  std::printf("| stage | events/s | ns/event |\n| --- | ---: | ---: |\n");

  std::vector<ft::SeedProcess> seeds(1);
  seeds[0].pid = Synthesizer::kMake;
  seeds[0].ppid = 1;
  seeds[0].start_ns = Synthesizer::kMakeStart;
  seeds[0].comm = "make";
  seeds[0].filename = "/usr/bin/make";
  seeds[0].argv = {"make", "-j8"};

  // Every record through the decoder, the way the live path calls it.
  auto each = [&](const std::function<void(ft::Event&)>& fn) {
    ft::Event e;
    for (auto [offset, size] : records.spans) {
      if (ft::decode_record(records.at(offset), size, e) != ft::DecodeError::none) std::abort();
      fn(e);
    }
  };
  std::FILE* null = std::fopen("/dev/null", "w");
  ft::ViewOptions view{};
  std::vector<Result> results;

  auto measure = [&](const std::string& name, const std::function<void()>& body) {
    if (!only.empty() && name.find(only) == std::string::npos) return;
    std::vector<double> rates;
    for (int r = 0; r < repeat; ++r) {
      auto start = std::chrono::steady_clock::now();
      body();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rates.push_back(static_cast<double>(events) / seconds);
    }
    std::sort(rates.begin(), rates.end());
    double rate = rates[rates.size() / 2];
    results.push_back({name, rate});
    std::printf("| %s | %.0f | %.0f |\n", name.c_str(), rate, 1e9 / rate);
    std::fflush(stdout);
  };

  auto with_view = [&](std::unique_ptr<ft::Sink> sink) {
    ft::Pipeline p(false);
    p.model().seed(seeds);
    if (sink) p.add_sink(std::move(sink));
    each([&](ft::Event& e) { p.feed(e); });
    p.finish();
  };

  measure("decode", [&] { each([](ft::Event&) {}); });
  measure("decode + model", [&] { with_view(nullptr); });
  // What live.cpp's intake adds before the model: the cgroup path.
  measure("decode + cgroup path + model", [&] {
    ft::CgroupResolver cgroups(mount);
    ft::Pipeline p(false);
    p.model().seed(seeds);
    each([&](ft::Event& e) {
      if (e.cgroup_id) e.cgroup = cgroups.path(e.cgroup_id, e.ts_ns);
      p.feed(e);
    });
  });
  measure("decode + model + text view", [&] { with_view(std::make_unique<ft::TextView>(null, view)); });
  measure("decode + model + json view", [&] { with_view(std::make_unique<ft::JsonView>(null, view)); });
  measure("decode + model + tree view", [&] { with_view(std::make_unique<ft::TreeView>(null, view)); });

  // FT_BENCH_KEEP=FILE keeps the recording (for timing --summary and --diff on it).
  const char* keep = std::getenv("FT_BENCH_KEEP");
  std::string path = keep ? keep : "/tmp/forktrace-userspace-bench-" + std::to_string(getpid()) + ".ftrace";
  uint64_t recorded = 0;
  measure("decode + model + recording (-w)", [&] {
    std::string error;
    auto writer = ft::TraceWriter::open(path, ft::TraceHeader{}, error);
    if (!writer) std::abort();
    ft::Pipeline p(false);
    p.model().seed(seeds);
    each([&](ft::Event& e) {
      writer->write(e);
      p.feed(e);
    });
    if (!writer->close(error)) std::abort();
    recorded = writer->bytes_written();
  });
  measure("replay: read + model", [&] {
    std::string error;
    auto reader = ft::TraceReader::open(path, error);
    if (!reader) std::abort();
    ft::Pipeline p(false);
    p.model().seed(seeds);
    ft::Event e;
    while (reader->next(e) == ft::TraceReader::Status::event) p.feed(e);
  });
  if (!keep) std::remove(path.c_str());
  if (recorded)
    std::printf("\nrecording: %.1f bytes per event (%.1f bytes per kernel record)\n",
                static_cast<double>(recorded) / events, static_cast<double>(records.bytes) / events);
  return 0;
}
