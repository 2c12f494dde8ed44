// Root test (issue 14): intake never waits for the views' output. A fork storm
// traced into a pipe nobody reads for 12 s loses nothing: the kernel ring does
// not overflow, the views' queue holds what the reader has not taken, and the
// file the reader writes at last holds every event, in order, with the exact
// count the storm printed itself.
//
// Sized by count, not time: this machine kind forks about 1,400 times a second,
// so 20,000 forks last the whole stall (150,000 took longer than the budget).
// A 1 MiB kernel ring makes that count decisive: the storm's records are
// several MiB, so a reader that made intake wait would overflow the ring.
#include <set>
#include <string>

#include "run_command.h"

namespace ft::test {
namespace {

TEST(StalledReader, AForkStormIntoAStalledPipeLosesNothing) {
  FT_REQUIRE_ROOT();
  constexpr long kForks = 20000;
  std::string file = temp_path("stalled_reader.json"), counts = temp_path("stalled_reader_counts.json");
  // `exec`: the storm itself is the traced command; its own line goes to a
  // file, not into the pipe it would share with forktrace.
  std::string command = std::string(FORKTRACE_BIN) + " -q --buffer-size 1 --format json -- sh -c 'exec " + FT_FORK_STORM_BIN +
                        " fork " + std::to_string(kForks) + " > " + counts + "' | (sleep 12; cat > " + file + ")";
  Result r = run({"/bin/bash", "-c", "set -o pipefail; " + command});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  auto storm = parse_json_lines(read_file(counts));
  ASSERT_EQ(storm.size(), 1u);
  ASSERT_EQ(storm[0]["failed"], 0);
  const uint64_t storm_pid = storm[0]["pid"];

  auto events = read_json_lines(file);
  uint64_t last_ts = 0, forks = 0, exits = 0, lost = 0, others = 0, reaps = 0;
  std::set<uint64_t> below{storm_pid}, live;  // the storm's descendants; those not yet exited
  for (const auto& e : events) {
    uint64_t ts = e["ts_ns"];
    ASSERT_GE(ts, last_ts) << e.dump();
    last_ts = ts;
    if (e["event"] == "lost") {
      lost += e["count"].get<uint64_t>();
    } else if (e["event"] == "fork" && below.count(e["parent_pid"].get<uint64_t>())) {
      forks++;
      below.insert(e["pid"].get<uint64_t>());
      live.insert(e["pid"].get<uint64_t>());
    } else if (e["event"] == "exit" && live.count(e["pid"].get<uint64_t>())) {
      exits++;  // after its fork: `live` holds only processes already seen forking
      live.erase(e["pid"].get<uint64_t>());
    } else if (e["event"] == "exec_failed") {
      continue;  // the PATH search that found sh (execvp tries each directory)
    } else if (e["event"] == "reap") {
      reaps++;
    } else {
      others++;
    }
  }
  EXPECT_EQ(lost, 0u);
  EXPECT_EQ(forks, storm[0]["forks"].get<uint64_t>());
  EXPECT_EQ(exits, storm[0]["exits"].get<uint64_t>());
  EXPECT_TRUE(live.empty());
  if (reaps) EXPECT_GE(reaps, exits) << "each child's reap, and the rest's";  // where the kernel reports reaps
  // The command's own fork, its exec of sh, sh's exec of the storm, its exit.
  EXPECT_EQ(others, 4u);
}

}  // namespace
}  // namespace ft::test
