#include "views/chrome_view.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_set>

#include "core/exit_status.h"
#include "views/format.h"
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
    images.push_back(Image{p.start_ns, executable_name(p), p.argv});
    if (e.kind == EventKind::exec) images.back().argv.clear();
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
  auto us = [&](uint64_t boot_ns) {
    uint64_t clipped = std::max(boot_ns, first_ns_);
    return static_cast<double>(clipped - first_ns_) / 1000.0;
  };
  Json events = Json::array();
  // Chrome merges tracks by pid, so a reused pid gets a track id of its own.
  std::unordered_set<int64_t> used;
  int64_t next_spare = 1LL << 32;
  int64_t sort_index = 0;
  for (auto [index, depth] : forest_.depth_first()) {
    if (options_.failed_only && !failed[index]) continue;
    const Process& p = *forest_.nodes()[index].process;
    int64_t track = p.pid;
    if (!used.insert(track).second) used.insert(track = next_spare++);
    ExitStatus status = decode_wait_status(p.wait_status);
    std::string command = p.argv.empty() ? printable(p.comm) : format_command(p.argv, p.argv_truncated);
    std::string label = std::string(depth * 2, ' ') + std::to_string(p.pid) + " " + command;
    events.push_back(Json{{"ph", "M"}, {"name", "process_name"}, {"pid", track}, {"args", {{"name", label}}}});
    events.push_back(Json{{"ph", "M"}, {"name", "process_sort_index"}, {"pid", track}, {"args", {{"sort_index", sort_index++}}}});
    events.push_back(Json{{"ph", "M"}, {"name", "thread_name"}, {"pid", track}, {"tid", track}, {"args", {{"name", printable(p.comm)}}}});

    uint64_t end_ns = p.exited ? p.exit_ns : last_ns_;
    const auto& images = images_[&p];
    for (size_t i = 0; i < images.size(); ++i) {
      const Image& image = images[i];
      bool last = i + 1 == images.size();
      uint64_t slice_end = last ? end_ns : images[i + 1].start_ns;
      std::string outcome = !p.exited ? "running" : describe(status);
      Json args = {{"pid", p.pid}, {"ppid", p.ppid}, {"forked_by", p.forked_by}};
      if (!image.argv.empty()) args["command"] = format_command(image.argv, false);
      if (last) args["status"] = outcome;
      if (last && p.usage) {
        args["cpu_user_ns"] = p.usage->cpu_user_ns;
        args["cpu_sys_ns"] = p.usage->cpu_sys_ns;
        args["max_rss_kb"] = p.usage->max_rss_kb;
        args["read_bytes"] = p.usage->read_bytes;
        args["write_bytes"] = p.usage->write_bytes;
      }
      Json slice = {{"ph", "X"}, {"cat", "process"}, {"name", last && p.exited ? image.name + " [" + outcome + "]" : image.name},
                    {"pid", track}, {"tid", track}, {"ts", us(image.start_ns)},
                    {"dur", std::max(0.0, us(slice_end) - us(image.start_ns))}, {"args", std::move(args)}};
      // Reserved colour names of the trace viewer: failures stand out.
      if (last && p.exited) slice["cname"] = status.failed() ? "terrible" : "good";
      events.push_back(std::move(slice));
    }
  }
  for (auto [ts, count] : lost_)
    events.push_back(Json{{"ph", "i"}, {"s", "g"}, {"name", std::to_string(count) + " events lost"}, {"pid", 0}, {"tid", 0}, {"ts", us(ts)}});
  Json doc = {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"},
              {"otherData", {{"generator", "forktrace"}}}};
  std::string text = doc.dump(-1, ' ', false, Json::error_handler_t::replace);
  text += '\n';
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

}  // namespace ft
