// User space alone, on one core: decoding, the lineage model, each view, and
// the recording writer and reader, fed from synthesized kernel records that
// look like a build (fork, exec with arguments, exit). Prints events/second.
//   userspace_bench [ITERATIONS]   (3 events each; default 1,000,000)
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "app/pipeline.h"
#include "core/decode.h"
#include "trace/trace_reader.h"
#include "trace/trace_writer.h"
#include "views/json_view.h"
#include "views/text_view.h"
#include "views/tree_view.h"

extern "C" {
#include "forktrace.h"
}

namespace {

struct Records {
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> spans;  // offset, size
  void add(const void* data, size_t size) {
    spans.emplace_back(bytes.size(), size);
    bytes.append(static_cast<const char*>(data), size);
  }
};

Records synthesize(size_t iterations) {
  Records r;
  uint64_t ts = 1'000'000'000'000;
  const char* programs[] = {"/usr/bin/gcc", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/bin/as", "/bin/sh"};
  for (size_t i = 0; i < iterations; ++i) {
    uint32_t parent = 1000 + static_cast<uint32_t>(i % 64);
    uint32_t child = 2000 + static_cast<uint32_t>(i % 28000);
    uint64_t start = ts += 20'000;
    ft_fork_record f = {};
    f.head = {ts, FT_RECORD_FORK, sizeof f};
    f.child_start_ns = start;
    f.parent_start_ns = 1000 + parent;
    f.parent_pid = f.parent_tid = parent;
    f.child_pid = f.child_tid = child;
    f.child_ppid = parent;
    std::strcpy(f.comm, "make");
    r.add(&f, sizeof f);

    const char* file = programs[i % 4];
    std::string args = std::string(file) + '\0' + "-O2" + '\0' + "-c" + '\0' + "src/module_" +
                       std::to_string(i % 500) + ".c" + '\0' + "-o" + '\0' + "out.o" + '\0';
    char buf[1024] = {};
    auto* e = reinterpret_cast<ft_exec_record*>(buf);
    e->head = {ts += 50'000, FT_RECORD_EXEC, 0};
    e->start_ns = start;
    e->pid = e->tid = e->old_tid = child;
    e->ppid = parent;
    std::strcpy(e->comm, "cc1");
    e->filename_len = static_cast<uint16_t>(std::strlen(file) + 1);
    std::memcpy(e->data, file, e->filename_len);
    e->args_len = static_cast<uint16_t>(args.size());
    std::memcpy(e->data + e->filename_len, args.data(), args.size());
    e->head.size = static_cast<uint32_t>(sizeof *e + e->filename_len + e->args_len + 7) & ~7u;
    r.add(buf, e->head.size);

    ft_exit_record x = {};
    x.head = {ts += 2'000'000, FT_RECORD_EXIT, sizeof x};
    x.start_ns = x.process_start_ns = start;
    x.pid = x.tid = child;
    x.ppid = parent;
    x.exit_code = (i % 97 == 0) ? 1 << 8 : 0;
    x.flags = FT_EXIT_GROUP_DEAD;
    std::strcpy(x.comm, "cc1");
    r.add(&x, sizeof x);
  }
  return r;
}

double measure(const char* name, size_t events, const std::function<void()>& body) {
  auto start = std::chrono::steady_clock::now();
  body();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double rate = static_cast<double>(events) / seconds;
  std::printf("| %-36s | %12.0f | %8.1f |\n", name, rate, 1e9 / rate);
  std::fflush(stdout);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  size_t iterations = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1'000'000;
  Records records = synthesize(iterations);
  size_t events = records.spans.size();
  std::printf("%zu events (%zu fork+exec+exit), one core\n\n", events, iterations);
  std::printf("| %-36s | %12s | %8s |\n|---|---|---|\n", "stage", "events/s", "ns/event");

  auto each = [&](const std::function<void(const ft::Event&)>& fn) {
    ft::Event e;
    for (auto [offset, size] : records.spans) {
      if (ft::decode_record(records.bytes.data() + offset, size, e) != ft::DecodeError::none) std::abort();
      fn(e);
    }
  };
  std::FILE* null = std::fopen("/dev/null", "w");
  ft::ViewOptions view{};

  measure("decode", events, [&] { each([](const ft::Event&) {}); });
  measure("decode + model", events, [&] {
    ft::Pipeline p(false);
    each([&](const ft::Event& e) { p.feed(e); });
  });
  measure("decode + model + text view", events, [&] {
    ft::Pipeline p(false);
    p.add_sink(std::make_unique<ft::TextView>(null, view));
    each([&](const ft::Event& e) { p.feed(e); });
    p.finish();
  });
  measure("decode + model + json view", events, [&] {
    ft::Pipeline p(false);
    p.add_sink(std::make_unique<ft::JsonView>(null, view));
    each([&](const ft::Event& e) { p.feed(e); });
    p.finish();
  });
  measure("decode + model + tree view", events, [&] {
    ft::Pipeline p(false);
    p.add_sink(std::make_unique<ft::TreeView>(null, view));
    each([&](const ft::Event& e) { p.feed(e); });
    p.finish();
  });
  std::string path = "/tmp/forktrace-userspace-bench.ftrace";
  measure("decode + model + recording (-w)", events, [&] {
    std::string error;
    auto writer = ft::TraceWriter::open(path, ft::TraceHeader{}, error);
    if (!writer) std::abort();
    ft::Pipeline p(false);
    each([&](const ft::Event& e) {
      writer->write(e);
      p.feed(e);
    });
    if (!writer->close(error)) std::abort();
  });
  measure("replay: read + model", events, [&] {
    std::string error;
    auto reader = ft::TraceReader::open(path, error);
    if (!reader) std::abort();
    ft::Pipeline p(false);
    ft::Event e;
    while (reader->next(e) == ft::TraceReader::Status::event) p.feed(e);
  });
  std::string error;
  auto reader = ft::TraceReader::open(path, error);
  std::printf("\nrecording: %llu bytes, %.1f bytes per event\n", static_cast<unsigned long long>(reader->size()),
              static_cast<double>(reader->size()) / static_cast<double>(events));
  std::remove(path.c_str());
  return 0;
}
