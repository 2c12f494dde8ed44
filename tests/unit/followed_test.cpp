// -p's end detection (app/followed.h): events keep the set, and a process
// whose exit was lost is forgotten once /proc no longer has it.
#include <gtest/gtest.h>
#include <unistd.h>

#include "app/followed.h"
#include "event_builders.h"
#include "host/proc.h"

namespace ft {
namespace {

using namespace ft::test;

TEST(UnitFollowed, ForksAddExitsRemoveThreadsDoNothing) {
  FollowedProcesses followed;
  Id root{100, 5 * kSec}, child{200, 6 * kSec};
  followed.add(root.pid, root.start_ns);
  followed.on_event(fork_of(root, child));
  followed.on_event(thread_fork_of(child, 100, 201, 7 * kSec));
  followed.on_event(exit_of(root, 1, 0, 8 * kSec));
  followed.on_event(thread_exit_of(child, 1, 201, 7 * kSec, 9 * kSec));
  EXPECT_FALSE(followed.empty());
  followed.on_event(exit_of(child, 1, 0, 10 * kSec));
  EXPECT_TRUE(followed.empty());
}

TEST(UnitFollowed, ALostExitIsForgottenOnceTheProcessIsGone) {
  SeedProcess self;
  ASSERT_TRUE(read_proc_process(static_cast<uint32_t>(getpid()), self));
  FollowedProcesses followed;
  followed.add(self.pid, self.start_ns + 1234);  // an exact start, as an event gives it
  followed.forget_vanished();
  EXPECT_FALSE(followed.empty()) << "a live process is kept";

  FollowedProcesses gone;
  gone.add(4'000'000'000u, 1);  // no such pid
  gone.forget_vanished();
  EXPECT_TRUE(gone.empty());

  FollowedProcesses reused;
  reused.add(self.pid, self.start_ns + 3600 * kSec);  // another process had this pid
  reused.forget_vanished();
  EXPECT_TRUE(reused.empty());
}

}  // namespace
}  // namespace ft
