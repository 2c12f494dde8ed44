#include "views/chrome_view.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "core/decode.h"
#include "core/exit_status.h"
#include "format/text.h"
#include "views/summary_view.h"

namespace ft {
namespace {

using Json = nlohmann::ordered_json;

}  // namespace

ChromeView::ChromeView(std::FILE* out, ViewOptions options) : out_(out), options_(options) {}

void ChromeView::on_event(const Event& e, const Process& p) {
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  if (e.thread) return;
  forest_.add(p);
  auto& images = images_[&p];
  if (images.empty()) {
    // What it runs before any exec: its parent's program (fork) or, for a
    // process that predates the trace, what it was running then.
    images.push_back(Image{p.start_ns, executable_name(p), p.argv, e.kind == EventKind::fork});
    if (e.kind == EventKind::exec || e.kind == EventKind::fork) images.back().argv.clear();
  }
  if (e.kind == EventKind::exec) images.push_back(Image{e.ts_ns, basename_of(e.filename), e.argv});
}

void ChromeView::on_lost(const Event& e) {
  if (!first_ns_) first_ns_ = e.ts_ns;
  last_ns_ = e.ts_ns;
  lost_.emplace_back(e.ts_ns, e.lost_count);
}

void ChromeView::finish() {
  std::vector<bool> failed = forest_.failed_subtrees();
  const auto& nodes = forest_.nodes();
  auto us = [&](uint64_t boot_ns) {
    uint64_t clipped = std::max(boot_ns, first_ns_);
    return static_cast<double>(clipped - first_ns_) / 1000.0;
  };
  // Each event is written as soon as it is made: a document of every event
  // would hold the whole trace a second time, as a JSON tree (GBs for 100k
  // processes). The bytes are those of dumping the whole document at once.
  bool first_event = true;
  std::fputs("{\"traceEvents\":[", out_);
  auto emit = [&](const Json& event) {
    std::string text = event.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (!first_event) std::fputc(',', out_);
    first_event = false;
    std::fwrite(text.data(), 1, text.size(), out_);
  };
  // Chrome merges tracks by pid, so a reused pid gets a track id of its own.
  std::unordered_set<int64_t> used;
  std::vector<int64_t> track_of(nodes.size(), 0);
  std::vector<std::string> chain_of(nodes.size());  // "make(100) → sh(101)", from the root
  int64_t next_spare = 1LL << 32;
  int64_t sort_index = 0;
  uint64_t flow_id = 0;
  for (auto [index, depth] : forest_.depth_first()) {
    if (options_.failed_only && !failed[index]) continue;
    const Process& p = *nodes[index].process;
    size_t parent = nodes[index].parent;
    int64_t track = p.pid;
    if (!used.insert(track).second) used.insert(track = next_spare++);
    track_of[index] = track;
    std::string step = executable_name(p) + "(" + std::to_string(p.pid) + ")";
    chain_of[index] = parent == ProcessForest::npos ? step : chain_of[parent] + " → " + step;
    ExitStatus status = decode_wait_status(p.wait_status);
    std::string outcome = !p.exited ? "running" : describe(status);
    std::string command = p.argv.empty() ? printable(p.comm) : format_command(p.argv, p.argv_truncated);
    std::string marks;
    for (size_t d = 0; d < depth; ++d) marks += "· ";
    std::string label = marks + std::to_string(p.pid) + " " + command;
    emit(Json{{"ph", "M"}, {"name", "process_name"}, {"pid", track}, {"args", {{"name", label}}}});
    emit(Json{{"ph", "M"}, {"name", "process_sort_index"}, {"pid", track}, {"args", {{"sort_index", sort_index++}}}});
    emit(Json{{"ph", "M"}, {"name", "process_labels"}, {"pid", track}, {"args", {{"labels", outcome}}}});
    emit(Json{{"ph", "M"}, {"name", "thread_name"}, {"pid", track}, {"tid", track}, {"args", {{"name", printable(p.comm)}}}});

    uint64_t end_ns = p.exited ? p.exit_ns : last_ns_;
    std::vector<Image> images = images_[&p];
    // The traced command (a root whose fork was seen) begins at its exec:
    // before it, the process was still forktrace.
    if (parent == ProcessForest::npos && images.size() > 1 && images.front().before_exec) images.erase(images.begin());
    for (size_t i = 0; i < images.size(); ++i) {
      const Image& image = images[i];
      bool last = i + 1 == images.size();
      uint64_t slice_end = last ? end_ns : images[i + 1].start_ns;
      Json args = {{"pid", p.pid}, {"ppid", p.ppid}, {"forked_by", p.forked_by}};
      if (image.before_exec) args["phase"] = "forked, not yet exec'd: still the parent's program";
      if (!image.argv.empty()) {
        args["argv"] = image.argv;
        args["command"] = format_command(image.argv, false);
      }
      if (last) args["status"] = outcome;
      if (last && p.usage) {
        args["cpu_user_ns"] = p.usage->cpu_user_ns;
        args["cpu_sys_ns"] = p.usage->cpu_sys_ns;
        args["max_rss_kb"] = p.usage->max_rss_kb;
        args["read_bytes"] = p.usage->read_bytes;
        args["write_bytes"] = p.usage->write_bytes;
      }
      if (last && !p.unsatisfied_execs.empty()) {  // exec attempts nothing satisfied (exit 127)
        Json failed = Json::array();
        for (const Process::FailedExec& f : p.unsatisfied_execs) {
          std::string_view error = errno_name(f.error);
          failed.push_back(printable(f.filename) + ": " + (error.empty() ? "E" + std::to_string(f.error) : std::string(error)));
        }
        args["exec_failed"] = std::move(failed);
      }
      args["chain"] = chain_of[index];
      std::string name = image.name;
      if (last) name += " [" + outcome + "]";
      Json slice = {{"ph", "X"}, {"cat", last && p.exited && status.failed() ? "process,failed" : "process"},
                    {"name", name}, {"pid", track}, {"tid", track}, {"ts", us(image.start_ns)},
                    {"dur", std::max(0.0, us(slice_end) - us(image.start_ns))}, {"args", std::move(args)}};
      // Reserved colour names of the trace viewer: failures stand out.
      if (last && p.exited) slice["cname"] = status.failed() ? "terrible" : "good";
      emit(slice);
    }
    // The fork, as a flow from the parent's slice to the child's first one.
    if (parent != ProcessForest::npos && !images.empty()) {
      double at = us(std::max(p.start_ns, nodes[parent].process->start_ns));
      ++flow_id;
      emit(Json{{"ph", "s"}, {"cat", "fork"}, {"name", "fork"}, {"id", flow_id}, {"pid", track_of[parent]},
                {"tid", track_of[parent]}, {"ts", at}});
      emit(Json{{"ph", "f"}, {"bp", "e"}, {"cat", "fork"}, {"name", "fork"}, {"id", flow_id}, {"pid", track},
                {"tid", track}, {"ts", us(images.front().start_ns)}});
    }
  }
  for (auto [ts, count] : lost_)
    emit(Json{{"ph", "i"}, {"s", "g"}, {"name", std::to_string(count) + " events lost"}, {"pid", 0}, {"tid", 0}, {"ts", us(ts)}});
  Json rest = {{"displayTimeUnit", "ms"}, {"otherData", {{"generator", "forktrace"}}}};
  std::string text = rest.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::fputs(("]," + text.substr(1) + "\n").c_str(), out_);
  std::fflush(out_);
}

}  // namespace ft
