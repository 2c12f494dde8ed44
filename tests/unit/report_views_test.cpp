// The HTML report (views/html_*) and the Chrome/Perfetto export
// (views/chrome_view.*) on a small synthetic build: what the page embeds
// (processes in depth-first order with their parents, statuses, the report),
// that no argv can break out of its <script> element, that the page needs
// nothing from the network, and the Chrome export's lineage and outcomes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zlib.h>

#include "pipeline/pipeline.h"
#include "event_builders.h"
#include "read_all.h"
#include "views/chrome_view.h"
#include "views/html_report.h"
#include "views/html_view.h"

namespace ft {
namespace {

using namespace ft::test;
using Json = nlohmann::json;

constexpr int64_t kBootEpochNs = 1'700'000'000'000'000'000;

size_t count_of(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) n++;
  return n;
}

// The JSON the page embeds, as the page's script reads it.
Json embedded_data(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"ft-data\">";
  size_t from = page.find(open);
  EXPECT_NE(from, std::string::npos);
  from += open.size();
  size_t to = page.find("</script>", from);
  EXPECT_NE(to, std::string::npos);
  return Json::parse(page.substr(from, to - from));
}

class ReportViewTest : public ViewOutputTest {
 protected:

  void start(std::unique_ptr<Sink> view) {
    pipeline = std::make_unique<Pipeline>(false);
    pipeline->add_sink(std::move(view));
    // The shell that started the traced command predates the trace, as
    // forktrace itself does for `-- CMD`: it is not part of the tree.
    pipeline->model().seed({seed_of(1, 0, 0, "systemd", "/sbin/init", {"/sbin/init"}),
                            seed_of(100, 1, Lineage::kDefaultProcTickNs, "forktrace", "/usr/bin/forktrace", {"forktrace", "--"})});
  }
  // As forktrace -- make -j2 would: the report's chains begin at the command.
  ViewOptions options(bool failed_only = false) {
    ViewOptions o{TraceClock{kBootEpochNs}, failed_only, false};
    o.scope.filtered = true;
    o.scope.traced_command = {"make", "-j2"};
    o.scope.realtime_offset_ns = kBootEpochNs;
    return o;
  }

  //   200 make -j2          exit 2     (forked by 100 at 10 s, exec 0.5 ms later)
  //   ├─ 201 sh -c 'cc a.c'   exit 1
  //   │  └─ 203 cc a.c          exit 1
  //   └─ 202 sh -c 'cc b.c'   exit 0
  //      └─ 204 cc b.c          exit 0
  void feed_build(std::vector<std::string> cc_argv = {"cc", "a.c"}) {
    Id tracer{100, Lineage::kDefaultProcTickNs + 5};
    Id make{200, 10 * kSec}, sh1{201, 10 * kSec + kMs}, sh2{202, 10 * kSec + 2 * kMs};
    Id cc1{203, 10 * kSec + 3 * kMs}, cc2{204, 10 * kSec + 4 * kMs};
    Pipeline& p = *pipeline;
    p.feed(fork_of(tracer, make, 0, "forktrace"));
    p.feed(exec_of(make, 100, "/usr/bin/make", {"make", "-j2"}, make.start_ns + kMs / 2));
    p.feed(fork_of(make, sh1, 0, "make"));
    p.feed(exec_of(sh1, 200, "/bin/sh", {"sh", "-c", "cc a.c"}, sh1.start_ns + 10 * kUs));
    p.feed(fork_of(make, sh2, 0, "make"));
    p.feed(exec_of(sh2, 200, "/bin/sh", {"sh", "-c", "cc b.c"}, sh2.start_ns + 10 * kUs));
    p.feed(fork_of(sh1, cc1, 0, "sh"));
    p.feed(exec_of(cc1, 201, "/usr/bin/cc", cc_argv, cc1.start_ns + 10 * kUs));
    p.feed(fork_of(sh2, cc2, 0, "sh"));
    p.feed(exec_of(cc2, 202, "/usr/bin/cc", {"cc", "b.c"}, cc2.start_ns + 10 * kUs));
    p.feed(exit_of(cc1, 201, exited_with(1), cc1.start_ns + 20 * kMs, 0, "cc"));
    p.feed(exit_of(sh1, 200, exited_with(1), sh1.start_ns + 25 * kMs, 0, "sh"));
    p.feed(exit_of(cc2, 202, exited_with(0), cc2.start_ns + 30 * kMs, 0, "cc"));
    p.feed(exit_of(sh2, 200, exited_with(0), sh2.start_ns + 35 * kMs, 0, "sh"));
    p.feed(exit_of(make, 100, exited_with(2), make.start_ns + 1500 * kMs, 0, "make"));
    p.finish();
  }

  std::unique_ptr<Pipeline> pipeline;
};

// --- the HTML report ----------------------------------------------------------

using UnitHtmlView = ReportViewTest;

std::vector<int64_t> pids_of(const Json& processes) {
  std::vector<int64_t> pids;
  for (const auto& p : processes) pids.push_back(p["pid"]);
  return pids;
}

TEST_F(UnitHtmlView, EmbedsTheTreeDepthFirstWithParentsTimesAndStatuses) {
  start(std::make_unique<HtmlView>(out, options()));
  feed_build();
  Json data = embedded_data(read_all(out));
  const Json& procs = data["procs"];
  const Json& strings = data["strings"];
  EXPECT_EQ(procs["pid"], Json({200, 201, 203, 202, 204})) << "depth-first, children in the order seen";
  EXPECT_EQ(procs["parent"], Json({-1, 0, 1, 0, 3})) << "parents as row indices; the tracer is no row";
  EXPECT_EQ(procs["ppid"], Json({100, 200, 201, 200, 202}));
  EXPECT_EQ(procs["start"], Json({0, 1000, 3000, 2000, 4000})) << "µs since the first event";
  EXPECT_EQ(procs["end"], Json({1'500'000, 26'000, 23'000, 37'000, 34'000}));
  EXPECT_EQ(procs["outcome"], Json({1, 1, 1, 0, 0})) << "0 ok, 1 failed";
  EXPECT_EQ(strings[procs["status"][0].get<size_t>()], "exit 2");
  EXPECT_EQ(strings[procs["status"][3].get<size_t>()], "exit 0");
  EXPECT_EQ(strings[procs["exe_name"][2].get<size_t>()], "cc");
  EXPECT_EQ(procs["argv"][1], Json({"sh", "-c", "cc a.c"}));
  EXPECT_EQ(data["title"], "make -j2");
  EXPECT_EQ(data["span_us"], 1'500'000);
  EXPECT_EQ(data["t0_wall_ms"], (kBootEpochNs + 10 * static_cast<int64_t>(kSec)) / 1'000'000);
  EXPECT_EQ(data["lost"], 0);
  EXPECT_FALSE(procs.contains("trunc")) << "columns that hold only defaults are left out";

  const Json& report = data["report"];
  EXPECT_EQ(report["root"]["pid"], 200);
  EXPECT_EQ(report["root"]["subtree"]["processes"], 5);
  EXPECT_EQ(report["root"]["subtree"]["failed"], 3);
  EXPECT_EQ(pids_of(report["cause"]), (std::vector<int64_t>{200, 201, 203}));
  std::map<int64_t, Json> failures;
  for (const auto& f : report["failures"]) failures[f["pid"]] = f;
  ASSERT_EQ(failures.size(), 3u);
  EXPECT_EQ(failures[203]["chain"], Json({200, 201})) << "from the root, never the tracer";
  EXPECT_EQ(failures[203]["propagated"], true);
  EXPECT_EQ(failures[203]["exit_code"], 1);
  EXPECT_EQ(pids_of(report["critical_path"]).front(), 200);
  bool cc_found = false;
  for (const auto& x : report["executables"])
    if (x["name"] == "cc") {
      cc_found = true;
      EXPECT_EQ(x["runs"], 2);
      EXPECT_EQ(x["failed"], 1);
      EXPECT_EQ(x["wall_ns"], 31 * kMs) << "the union of the runs (3..23 ms, 4..34 ms), not their sum";
    }
  EXPECT_TRUE(cc_found);
}

TEST_F(UnitHtmlView, NoArgvCanEndTheDataScriptAndEveryStringReadsBack) {
  const std::string nasty = "</script><script>alert(1)</script><!-- & \xe2\x80\xa8 \"quoted\" </SCRIPT >";
  start(std::make_unique<HtmlView>(out, options()));
  feed_build({"cc", nasty, "-DX=<b>"});
  std::string page = read_all(out);
  // The page's own two scripts close; nothing else does.
  EXPECT_EQ(count_of(page, "</script>"), 2u);
  EXPECT_EQ(count_of(page, "</SCRIPT"), 0u);
  EXPECT_EQ(count_of(page, "<script>alert"), 0u);
  size_t data_at = page.find("id=\"ft-data\">");
  ASSERT_NE(data_at, std::string::npos);
  std::string data_text = page.substr(data_at, page.find("</script>", data_at) - data_at);
  EXPECT_EQ(data_text.find("<!--"), std::string::npos);
  EXPECT_EQ(data_text.find("\xe2\x80\xa8"), std::string::npos) << "U+2028 is escaped too";
  Json data = embedded_data(page);
  EXPECT_EQ(data["procs"]["argv"][2], Json({"cc", nasty, "-DX=<b>"})) << "JSON.parse reads back the very bytes";
}

TEST(UnitHtmlReport, JsonForScriptEscapesOnlyInsideStrings) {
  OrderedJson data = {{"a<b", "x</script>&y>z"}, {"n", 3}, {"s", "\xe2\x80\xa9"}};
  std::string text = json_for_script(data);
  EXPECT_EQ(text, R"({"a\u003cb":"x\u003c/script\u003e\u0026y\u003ez","n":3,"s":"\u2029"})");
  EXPECT_EQ(OrderedJson::parse(text), data);
}

std::string unbase64(const std::string& text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* at = std::strchr(digits, c);
    if (c == '=' || !at || !c) continue;
    bits = bits << 6 | static_cast<uint32_t>(at - digits);
    if ((count += 6) >= 8) out += static_cast<char>((bits >> (count -= 8)) & 0xff);
  }
  return out;
}

std::string gunzip(const std::string& bytes) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char buf[65536];
  int rc;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (rc == Z_OK);
  EXPECT_EQ(rc, Z_STREAM_END);
  inflateEnd(&z);
  return out;
}

TEST(UnitHtmlReport, LargeDataIsEmbeddedAsGzipInBase64) {
  OrderedJson data = {{"format", 1}, {"procs", {{"argv", {{"cc", "</script>", "a.c"}}}}}, {"pad", std::string(5000, 'x')}};
  std::string plain = render_html_report(data);
  EXPECT_EQ(plain.find("data-encoding"), std::string::npos) << "small data stays readable JSON";
  std::string page = render_html_report(data, /*compress_over_bytes=*/1000);
  const std::string open = "<script type=\"application/json\" id=\"ft-data\" data-encoding=\"gzip+base64\">";
  size_t from = page.find(open);
  ASSERT_NE(from, std::string::npos);
  from += open.size();
  std::string text = page.substr(from, page.find("</script>", from) - from);
  EXPECT_EQ(text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="), std::string::npos);
  std::string json = gunzip(unbase64(text));
  EXPECT_EQ(json, json_for_script(data));
  EXPECT_EQ(OrderedJson::parse(json), data);
  EXPECT_EQ(render_html_report(data, 1000), page) << "deterministic: no time stamp in the gzip header";
  EXPECT_EQ(base64("a"), "YQ==");
  EXPECT_EQ(base64("ab"), "YWI=");
  EXPECT_EQ(base64("abc"), "YWJj");
}

// The view writes the data in pieces (a column each), compressing as it
// goes: the page must be the one a single piece of the same text makes, for
// any split, empty pieces and pieces beyond the compressor's 64 KiB buffer
// included.
TEST(UnitHtmlReport, PiecesMakeTheSamePageAsTheWholeText) {
  std::string text = "{\"procs\":{\"argv\":[";
  for (int i = 0; i < 20000; ++i) text += "[\"cc\",\"-c\",\"f" + std::to_string(i * 7919 % 100003) + ".c\"],";
  text += "[]]}}";
  for (size_t compress_over : {size_t{1} << 30, size_t{1000}}) {
    std::string whole = render_html_page(text, compress_over);
    for (size_t cut : {size_t{1}, size_t{3}, size_t{4096}, size_t{70000}}) {
      JsonPieces pieces;
      for (size_t at = 0; at < text.size(); at += cut) {
        pieces.push_back(text.substr(at, cut));
        pieces.emplace_back();
      }
      std::string page;
      write_html_page(std::move(pieces), [&](std::string_view t) { page += t; }, compress_over);
      EXPECT_EQ(page, whole) << "pieces of " << cut << " bytes, compressed over " << compress_over;
    }
  }
}

TEST_F(UnitHtmlView, ThePageIsSelfContained) {
  start(std::make_unique<HtmlView>(out, options()));
  feed_build();
  std::string page = read_all(out);
  ASSERT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos)
      << "the browser itself refuses any request the page would make";
  for (const char* reference : {" src=", " href=", "@import", "url(", "http://", "https://", "fetch(", "XMLHttpRequest"})
    EXPECT_EQ(page.find(reference), std::string::npos) << reference;
  EXPECT_EQ(page.find("@FT_"), std::string::npos) << "every template marker was filled";
}

TEST_F(UnitHtmlView, SameTraceSameBytes) {
  start(std::make_unique<HtmlView>(out, options()));
  feed_build();
  std::string first = read_all(out);
  std::FILE* again = std::tmpfile();
  ASSERT_NE(again, nullptr);
  std::swap(out, again);
  start(std::make_unique<HtmlView>(out, options()));
  feed_build();
  std::string second = read_all(out);
  std::swap(out, again);
  std::fclose(again);
  EXPECT_EQ(first, second);
}

TEST_F(UnitHtmlView, FailedOnlyKeepsFailuresAndTheirAncestry) {
  start(std::make_unique<HtmlView>(out, options(/*failed_only=*/true)));
  feed_build();
  Json data = embedded_data(read_all(out));
  EXPECT_EQ(data["procs"]["pid"], Json({200, 201, 203}));
  EXPECT_EQ(data["procs"]["parent"], Json({-1, 0, 1}));
  EXPECT_EQ(data["failed_only"], true);
}

TEST_F(UnitHtmlView, RunningProcessesAndLostEvents) {
  start(std::make_unique<HtmlView>(out, options()));
  Id tracer{100, Lineage::kDefaultProcTickNs + 5}, sleeper{300, 5 * kSec};
  pipeline->feed(fork_of(tracer, sleeper, 0, "forktrace"));
  pipeline->feed(exec_of(sleeper, 100, "/bin/sleep", {"sleep", "9"}, sleeper.start_ns + kMs));
  pipeline->feed(lost_of(7, sleeper.start_ns + 2 * kMs));
  pipeline->finish();
  Json data = embedded_data(read_all(out));
  EXPECT_EQ(data["procs"]["end"], Json({-1}));
  EXPECT_EQ(data["procs"]["outcome"], Json({3})) << "3 running";
  EXPECT_EQ(data["lost"], 7);
  EXPECT_TRUE(data["report"]["cause"].empty());
}

// --- the Chrome/Perfetto export -----------------------------------------------

using UnitChromeView = ReportViewTest;

struct Track {
  std::string name;
  std::vector<Json> slices;
};

TEST_F(UnitChromeView, LineageOutcomesAndNoTracerSegment) {
  start(std::make_unique<ChromeView>(out, options()));
  feed_build();
  Json doc = Json::parse(read_all(out));
  std::map<int64_t, Track> tracks;
  std::map<int64_t, Json> flow_starts, flow_ends;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name") tracks[e["pid"]].name = e["args"]["name"];
    if (e["ph"] == "X") tracks[e["pid"]].slices.push_back(e);
    if (e["ph"] == "s") flow_starts[e["id"]] = e;
    if (e["ph"] == "f") flow_ends[e["id"]] = e;
  }
  ASSERT_EQ(tracks.size(), 5u);

  // The traced command's track starts at its exec, not at forktrace's fork.
  const Track& make = tracks[200];
  EXPECT_EQ(make.name, "200 make -j2");
  ASSERT_EQ(make.slices.size(), 1u) << "no slice for the moment it was still forktrace";
  EXPECT_EQ(make.slices[0]["name"], "make [exit 2]");
  EXPECT_DOUBLE_EQ(make.slices[0]["ts"].get<double>(), 500.0) << "µs: the exec, 0.5 ms after the fork";
  EXPECT_EQ(make.slices[0]["args"]["chain"], "make(200)");

  // Depth as marks that viewers do not trim; outcome in the slice name.
  const Track& cc = tracks[203];
  EXPECT_EQ(cc.name, "· · 203 cc a.c");
  ASSERT_EQ(cc.slices.size(), 2u) << "the fork-to-exec moment in sh, then cc";
  EXPECT_EQ(cc.slices[0]["name"], "sh");
  EXPECT_FALSE(cc.slices[0]["args"].contains("argv")) << "before its exec it has no argv of its own";
  const Json& last = cc.slices[1];
  EXPECT_EQ(last["name"], "cc [exit 1]");
  EXPECT_EQ(last["cat"], "process,failed");
  EXPECT_EQ(last["cname"], "terrible");
  EXPECT_EQ(last["args"]["pid"], 203);
  EXPECT_EQ(last["args"]["ppid"], 201);
  EXPECT_EQ(last["args"]["argv"], Json({"cc", "a.c"}));
  EXPECT_EQ(last["args"]["status"], "exit 1");
  EXPECT_EQ(last["args"]["chain"], "make(200) → sh(201) → cc(203)");
  EXPECT_EQ(tracks[204].slices.back()["name"], "cc [exit 0]");
  EXPECT_EQ(tracks[204].slices.back()["cat"], "process");

  // One fork flow per child: out of the parent's slice at the fork, into the child's first.
  ASSERT_EQ(flow_starts.size(), 4u);
  std::map<int64_t, int64_t> parent_of_track;
  for (const auto& [id, s] : flow_starts) {
    ASSERT_TRUE(flow_ends.count(id)) << s;
    const Json& f = flow_ends[id];
    EXPECT_EQ(f["bp"], "e");
    parent_of_track[f["pid"]] = s["pid"];
    bool inside = false;
    for (const auto& slice : tracks[s["pid"]].slices) {
      double from = slice["ts"], to = from + slice["dur"].get<double>();
      inside |= s["ts"].get<double>() >= from && s["ts"].get<double>() <= to;
    }
    EXPECT_TRUE(inside) << "the flow starts inside a slice of the parent: " << s;
    EXPECT_DOUBLE_EQ(f["ts"].get<double>(), tracks[f["pid"]].slices.front()["ts"].get<double>());
  }
  EXPECT_EQ(parent_of_track, (std::map<int64_t, int64_t>{{201, 200}, {202, 200}, {203, 201}, {204, 202}}));
}

}  // namespace
}  // namespace ft
