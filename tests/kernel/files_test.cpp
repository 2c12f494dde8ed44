// Root tests: the files forktrace creates hold every traced user's command
// lines, so they are 0600 whatever the umask, unless --file-mode widens them;
// files that exist keep their mode; a directory made for -w DIR/ is 0700.
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace
}  // namespace ft::test
