#include "run_command.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "unprivileged.h"

namespace ft::test {
namespace {

Result run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& input, bool as_nobody) {
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    if (as_nobody && !drop_to_nobody()) _exit(126);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!input.empty() && write(in[1], input.data(), input.size()) < 0) {
  }
  close(in[1]);
  Result r;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open = 2;
  while (open) {
    if (poll(fds, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        open--;
      }
    }
  }
  waitpid(pid, &r.status, 0);
  return r;
}

}  // namespace

int Result::exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

Result run(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& input) {
  return run_program(argv, env, input, false);
}

Result run_as_nobody(const std::vector<std::string>& argv) { return run_program(argv, {}, "", true); }

std::vector<nlohmann::json> parse_json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<nlohmann::json> read_json_lines(const std::string& path) { return parse_json_lines(read_file(path)); }

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "forktrace-" + std::to_string(getpid()) + "-" + name;
}

TracedCase trace_workload_case(const std::string& name) {
  TracedCase t;
  std::string out = temp_path(name + ".json");
  t.recording = temp_path(name + ".ftrace");
  Result result = run({FORKTRACE_BIN, "-q", "--format", "json", "-o", out, "-w", t.recording, "--", FT_WORKLOAD_BIN, name});
  EXPECT_EQ(result.exit_code(), 0) << result.err;
  t.truth = parse_json_lines(result.out);
  t.events = read_json_lines(out);
  Result replay = run({FORKTRACE_BIN, "-r", t.recording, "--format", "json"});
  EXPECT_EQ(replay.exit_code(), 0) << replay.err;
  t.replayed = parse_json_lines(replay.out);
  return t;
}

}  // namespace ft::test
