// Root test: when the ring buffer overflows, every record the kernel could not
// deliver is counted and reported as `lost`; none disappears silently.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "attached.h"
#include "run_command.h"

namespace ft::test {
namespace {

TEST(LostEvents, OverflowIsCountedExactly) {
  FT_REQUIRE_ROOT();
  constexpr int kChildren = 20000;

  // The workload: waits on a pipe, then forks kChildren children that exit at once.
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t workload = fork();
  ASSERT_GE(workload, 0);
  if (workload == 0) {
    close(go[1]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(100);
    for (int i = 0; i < kChildren; ++i) {
      pid_t child = fork();
      if (child == 0) _exit(0);
      if (child < 0) _exit(101);
      waitpid(child, nullptr, 0);
    }
    _exit(0);
  }
  close(go[0]);

  std::string out = temp_path("lost_events.json");  // per process: other runs share /tmp
  ReadyNotice ready;  // before the tracer starts: it inherits NOTIFY_SOCKET
  pid_t tracer = fork();
  ASSERT_GE(tracer, 0);
  if (tracer == 0) {
    std::string pid = std::to_string(workload);
    execl(FORKTRACE_BIN, "forktrace", "-q", "--buffer-size", "1", "--format", "json", "-o", out.c_str(), "-p",
          pid.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_TRUE(ready.wait(tracer, std::chrono::seconds(60)));
  // A stopped consumer: the 1 MiB ring buffer must overflow.
  ASSERT_EQ(kill(tracer, SIGSTOP), 0);
  ASSERT_EQ(write(go[1], "x", 1), 1);
  close(go[1]);
  int status = 0;
  ASSERT_EQ(waitpid(workload, &status, 0), workload);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_EQ(kill(tracer, SIGCONT), 0);
  // -p ends by itself once every traced process has exited.
  ASSERT_EQ(waitpid(tracer, &status, 0), tracer);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);

  std::ifstream in(out);
  std::string line;
  uint64_t seen = 0, lost = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["event"] == "lost") {
      ASSERT_TRUE(j["count"].is_number_unsigned());
      lost += j["count"].get<uint64_t>();
      if (j.contains("kinds")) lost -= j["kinds"].value("reap", uint64_t{0});  // counted apart: reaps are not forks or exits
    } else if (j["event"] == "reap") {
      // Each a fork-and-exit's reap: not what this test counts.
    } else if (j.value("recovered", false) || j.value("status_unknown", false)) {
      // Made from /proc after the loss, not delivered by the kernel.
    } else {
      seen++;
    }
  }
  // Every child's fork and exit, and the workload's own exit.
  EXPECT_GT(lost, 0u) << "the ring buffer did not overflow; the test proves nothing";
  EXPECT_EQ(seen + lost, 2u * kChildren + 1) << "seen " << seen << ", lost " << lost;
}

}  // namespace
}  // namespace ft::test
