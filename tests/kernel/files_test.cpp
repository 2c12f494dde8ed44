// Root tests: the files forktrace creates hold every traced user's command
// lines, so they are 0600 whatever the umask, unless --file-mode widens them;
// files that exist keep their mode; a directory made for -w DIR/ is 0700.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "run_command.h"

namespace ft::test {
namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 07777;  // missing: never a mode we expect
  return st.st_mode & 07777;
}

// The umask the test process (and so forktrace, its child) runs with.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(umask(mask)) {}
  ~Umask() { umask(old_); }

 private:
  mode_t old_;
};

std::string fresh(const std::string& name) {
  std::string path = temp_path(name);
  std::filesystem::remove_all(path);
  return path;
}

TEST(FileModes, RecordingAndOutputAre0600) {
  FT_REQUIRE_ROOT();
  Umask mask(022);  // what a new user's shell has: 0644 before this change
  std::string rec = fresh("private.ftrace"), out = fresh("private.json");
  Result r = run({FORKTRACE_BIN, "-q", "-w", rec, "--format", "json", "-o", out, "--", "true"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(mode_of(rec), 0600u);
  EXPECT_EQ(mode_of(out), 0600u);
  // A replay's -o FILE too.
  std::string replayed = fresh("replayed.json");
  r = run({FORKTRACE_BIN, "-r", rec, "--format", "json", "-o", replayed});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(mode_of(replayed), 0600u);
}

TEST(FileModes, FileModeWidensWhateverTheUmask) {
  FT_REQUIRE_ROOT();
  for (mode_t mask : {mode_t{022}, mode_t{077}}) {
    Umask m(mask);
    std::string rec = fresh("group.ftrace"), out = fresh("group.txt");
    Result r = run({FORKTRACE_BIN, "-q", "--file-mode", "0640", "-w", rec, "-o", out, "--", "true"});
    ASSERT_EQ(r.exit_code(), 0) << r.err;
    EXPECT_EQ(mode_of(rec), 0640u) << "umask " << mask;
    EXPECT_EQ(mode_of(out), 0640u) << "umask " << mask;
  }
}

TEST(FileModes, ExistingFilesKeepTheirMode) {
  FT_REQUIRE_ROOT();
  Umask mask(022);
  std::string rec = fresh("existing.ftrace"), out = fresh("existing.txt");
  for (const std::string& path : {rec, out}) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs("old content\n", f);
    std::fclose(f);
    chmod(path.c_str(), 0604);
  }
  Result r = run({FORKTRACE_BIN, "-q", "-w", rec, "-o", out, "--", "true"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(mode_of(rec), 0604u);
  EXPECT_EQ(mode_of(out), 0604u);
  // Truncated, as before: the old content is gone.
  EXPECT_EQ(read_file(out).find("old content"), std::string::npos);
  EXPECT_EQ(run({FORKTRACE_BIN, "-r", rec, "-o", "/dev/null"}).exit_code(), 0);
}

TEST(FileModes, RotatingDirectoryIsCreated0700) {
  FT_REQUIRE_ROOT();
  Umask mask(022);
  std::string dir = fresh("series");
  Result r = run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "-w", dir + "/", "--", "true"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(mode_of(dir), 0700u);
  size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    files++;
    EXPECT_EQ(mode_of(f.path()), 0600u) << f.path();
  }
  EXPECT_EQ(files, 1u);
  // Widened: the group may enter the directory and read the files.
  std::string shared = fresh("shared-series");
  r = run({FORKTRACE_BIN, "-q", "--file-mode", "640", "-o", "/dev/null", "-w", shared + "/", "--", "true"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(mode_of(shared), 0750u);
  for (const auto& f : std::filesystem::directory_iterator(shared)) EXPECT_EQ(mode_of(f.path()), 0640u) << f.path();
  // An existing directory keeps its mode; its new files are 0600.
  std::string existing = fresh("existing-series");
  std::filesystem::create_directory(existing);
  chmod(existing.c_str(), 0755);
  r = run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "-w", existing, "--", "true"});
  ASSERT_EQ(r.exit_code(), 0) << r.err;
  EXPECT_EQ(mode_of(existing), 0755u);
  for (const auto& f : std::filesystem::directory_iterator(existing)) EXPECT_EQ(mode_of(f.path()), 0600u) << f.path();
}

// Bad modes end with one line naming the option, before anything is traced.
TEST(FileModes, BadModeIsOneLine) {
  for (const char* bad : {"0777", "0400", "644x", "rw-r-----", "06640", "4755", "0700"}) {
    Result r = run({FORKTRACE_BIN, "--file-mode", bad, "-r", "/nonexistent"});
    EXPECT_EQ(r.exit_code(), 2) << bad << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("forktrace: --file-mode", 0), 0u) << r.err;
  }
}

// A full disk during -w (a 128 KiB tmpfs): tracing goes on, the command's
// run is whole, the cause is said once at the end with what was not
// recorded, the file replays to its last whole record, and the exit status
// tells forktrace's failure (125) from the command's.
class FullDisk : public testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) return;
    dir_ = temp_path("full-disk");
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=128k,mode=0700"), 0) << std::strerror(errno);
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
    std::filesystem::remove(dir_);
  }
  // 2,000 processes: some 6,000 events, about 380 KiB of recording.
  Result trace(int exit_code) {
    std::string script = "i=0; while [ $i -lt 2000 ]; do /bin/true; i=$((i+1)); done; exit " + std::to_string(exit_code);
    return run({FORKTRACE_BIN, "-q", "-o", "/dev/null", "-w", dir_ + "/rec.ftrace", "--", "sh", "-c", script});
  }
  std::string dir_;
  bool mounted_ = false;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_F(FullDisk, CommandSucceededRecordingFailedIs125) {
  FT_REQUIRE_ROOT();
  Result r = trace(0);
  EXPECT_EQ(r.exit_code(), 125) << r.err;
  auto lines = lines_of(r.err);
  ASSERT_FALSE(lines.empty());
  // At the end, one line: the cause and what it missed. (A run that outlives
  // a recorder tick also says it when it happens.)
  EXPECT_LE(lines.size(), 2u) << r.err;
  EXPECT_EQ(lines.back().rfind("forktrace: cannot write " + dir_ + "/rec.ftrace: No space left on device; ", 0), 0u)
      << r.err;
  EXPECT_NE(lines.back().find(" events were not recorded"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("could not keep up"), std::string::npos) << r.err;
  // What the file holds replays, and says where it was cut.
  Result replay = run({FORKTRACE_BIN, "-r", dir_ + "/rec.ftrace", "--format", "json"});
  EXPECT_EQ(replay.exit_code(), 0) << replay.err;
  EXPECT_GT(lines_of(replay.out).size(), 100u);
  EXPECT_NE(replay.err.find("cut off"), std::string::npos) << replay.err;
}

TEST_F(FullDisk, TheCommandsFailureWins) {
  FT_REQUIRE_ROOT();
  Result r = trace(3);
  EXPECT_EQ(r.exit_code(), 3) << r.err;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ft::test
