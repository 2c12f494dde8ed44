// format/json_line.h writes what nlohmann's dump would, byte for byte: edge
// cases of escaping and UTF-8 repair, then many random byte strings.
#include "format/json_line.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace ft {
namespace {

using Json = nlohmann::ordered_json;

std::string by_nlohmann(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string by_json_line(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonLine, EscapesAndRepairsAsNlohmannDoes) {
  std::vector<std::string> cases = {
      "", "plain", "a \"quoted\" \\ back", "tab\there\nnew\rret\bbs\fff", std::string("nul\0in", 6), "\x7f del",
      "\xc3\xa9t\xc3\xa9",                     // é: two bytes
      "\xe2\x82\xac", "\xf0\x9f\x98\x80",      // €, 😀
      "\xc0\x80", "\xc1\xbf",                  // overlong two-byte forms
      "\xe0\x80\x80", "\xe0\x9f\xbf",          // overlong three-byte forms
      "\xed\xa0\x80", "\xed\xbf\xbf",          // UTF-16 surrogates
      "\xf0\x80\x80\x80", "\xf4\x90\x80\x80",  // overlong four-byte, past U+10FFFF
      "\xf5\x80", "\xff", "\x80", "\xbf\xbf",  // no lead byte
      "\xe2\x82", "\xf0\x9f\x98", "x\xc3",     // cut at the end
      "\xe2\x28\xa1", "\xc3(", "\xf0\x9f(\x80", "\xe2\x82\xe2\x82\xac",  // a byte that does not fit
  };
  for (int c = 0; c < 0x20; ++c) cases.push_back(std::string(1, static_cast<char>(c)));
  for (const std::string& s : cases) EXPECT_EQ(by_json_line(s), by_nlohmann(s)) << testing::PrintToString(s);
}

TEST(JsonLine, RandomBytesAsNlohmann) {
  // Bytes weighted towards those that make and break UTF-8 sequences.
  const std::vector<uint8_t> alphabet = {'a', '"', '\\', '\n', 0x01, 0x1f, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0,
                                         0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1,
                                         0xf4, 0xf5, 0xff};
  std::mt19937 rng(12);  // fixed: the same strings every run
  std::uniform_int_distribution<size_t> length(0, 12), pick(0, alphabet.size() - 1);
  for (int n = 0; n < 50000; ++n) {
    std::string s;
    for (size_t i = length(rng); i > 0; --i) s += static_cast<char>(alphabet[pick(rng)]);
    ASSERT_EQ(by_json_line(s), by_nlohmann(s)) << testing::PrintToString(s);
  }
}

TEST(JsonLine, ObjectAsNlohmannInInsertionOrder) {
  std::string line = JsonLine()
                         .str("event", "exec")
                         .num("ts_ns", uint64_t{1796187567186152081})
                         .num("errno", -2)
                         .boolean("thread", false)
                         .strings("argv", {"sh", "-c", "echo \"hi\""})
                         .strings("empty", {})
                         .raw("ancestry", "[{\"pid\":1}]")
                         .done();
  Json j;
  j["event"] = "exec";
  j["ts_ns"] = uint64_t{1796187567186152081};
  j["errno"] = -2;
  j["thread"] = false;
  j["argv"] = std::vector<std::string>{"sh", "-c", "echo \"hi\""};
  j["empty"] = std::vector<std::string>{};
  j["ancestry"] = Json::array({Json{{"pid", 1}}});
  EXPECT_EQ(line, j.dump(-1, ' ', false, Json::error_handler_t::replace));
  EXPECT_EQ(JsonLine().done(), "{}");
}

}  // namespace
}  // namespace ft
