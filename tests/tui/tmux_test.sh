#!/usr/bin/env bash
# End-to-end tests of --tui in a real terminal: tmux (Debian's) runs
# forktrace in a shell, keys go in with send-keys and the screen comes back
# with capture-pane. Every check waits for the text it expects (polling the
# pane, with a deadline) instead of sleeping, as fzf's test/test_go.rb does.
#
#   tmux_test.sh FORKTRACE RECORDING replay   no root needed
#   tmux_test.sh FORKTRACE RECORDING live     as root; skips without it unless
#                                             FORKTRACE_REQUIRE_ROOT_TESTS=1
set -uo pipefail
. "$(dirname "$0")/../common/require.sh"
forktrace=$(realpath "$1")
recording=$(realpath "$2")
suite=$3
work=$(mktemp -d)
socket="forktrace-tui-test-$$"
tm() { tmux -u -L "$socket" "$@"; }
cleanup() {
  tm kill-server 2>/dev/null
  rm -rf "$work" 2>/dev/null
}
trap cleanup EXIT

failures=0
fail() {
  echo "FAIL: $*"
  echo "---- screen ----"
  tm capture-pane -p -t t 2>/dev/null
  echo "----------------"
  failures=$((failures + 1))
}
screen() { tm capture-pane -p -t t; }
# wait_for TEXT [SECONDS]: until the pane shows TEXT (a fixed string).
wait_for() {
  local deadline=$((SECONDS + ${2:-15}))
  while ((SECONDS < deadline)); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  fail "timed out waiting for: $1"
  return 1
}
# wait_gone TEXT: until the pane no longer shows TEXT.
wait_gone() {
  local deadline=$((SECONDS + ${2:-15}))
  while ((SECONDS < deadline)); do
    screen | grep -qF -- "$1" || return 0
    sleep 0.05
  done
  fail "timed out waiting for this to go: $1"
  return 1
}
expect_screen() { screen | grep -qF -- "$1" || fail "not on the screen: $1"; }
expect_not_screen() { ! screen | grep -qF -- "$1" || fail "on the screen but should not be: $1"; }
alternate_on() { tm display-message -p -t t '#{alternate_on}'; }
cursor_visible() { tm display-message -p -t t '#{cursor_flag}'; }

# A shell in an 100x30 terminal with a plain prompt and a UTF-8 locale.
start_shell() {
  tm kill-server 2>/dev/null
  tm -f /dev/null new-session -d -s t -x "${1:-100}" -y "${2:-30}" \
    "env -i PATH=$PATH HOME=$work TERM=screen LANG=C.UTF-8 PS1='READY> ' bash --norc --noprofile"
  tm set-option -t t window-size manual >/dev/null
  wait_for "READY>"
}
# run COMMAND: types it with the terminal's modes saved before and checked after.
run() {
  tm send-keys -t t "clear; stty -g > $work/stty.before; $1; echo \"EXIT=\$?\"; stty -g > $work/stty.after" Enter
}
# After q: the prompt is back, nothing of the TUI is left, modes and cursor as before.
expect_restored() {
  local status=$1
  wait_for "EXIT=$status" || return
  wait_for "READY>"
  [ "$(alternate_on)" = 0 ] || fail "still on the alternate screen"
  [ "$(cursor_visible)" = 1 ] || fail "the cursor is still hidden"
  cmp -s "$work/stty.before" "$work/stty.after" || fail "terminal modes differ: $(cat "$work/stty.before") vs $(cat "$work/stty.after")"
  expect_not_screen "forktrace  "
  expect_not_screen "q quit"
  # Only our command line, its status and the prompt: the screen is as it was.
  local lines
  lines=$(screen | grep -c .)
  [ "$lines" -le 3 ] || fail "$lines lines left on the screen (expected the command, EXIT= and the prompt)"
}

replay_suite() {
  # Refused without a terminal, in one line, before anything else.
  local err
  err=$("$forktrace" --tui -r "$recording" 2>&1 >"$work/out")
  local status=$?
  [ "$status" -ne 0 ] || fail "--tui with stdout not a terminal exited 0"
  [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "refusal is not one line: $err"
  grep -q "needs a terminal" <<<"$err" || fail "refusal does not say why: $err"
  [ ! -s "$work/out" ] || fail "refusal wrote to standard output"

  start_shell 100 30
  run "$forktrace --tui -r $recording"
  wait_for "replay ended" || return
  [ "$(alternate_on)" = 1 ] || fail "not on the alternate screen"
  expect_screen "killed by SIGTERM"
  expect_screen "exit 3"
  # The traced command succeeded, so every failure below it was handled: the
  # workload's finished subtree is folded, its failures counted (issue 24).
  expect_screen "… 22 processes, 14 failed"
  expect_not_screen "true vforked"
  tm send-keys -t t j Enter
  wait_for "true vforked"
  expect_screen "SIGSEGV (core dumped)"
  expect_screen "sh -c 'exit 6'"
  # Fold it again by hand: its 22 descendants go, a count comes.
  tm send-keys -t t Enter
  wait_for "… 22 processes, 14 failed"
  expect_not_screen "true vforked"
  tm send-keys -t t Enter
  wait_for "true vforked"
  # Search reveals a process inside a folded subtree.
  tm send-keys -t t /
  wait_for "Enter search, Esc cancel"
  tm send-keys -t t -l "ft-workload-core"
  tm send-keys -t t Enter
  wait_for "match 1 of"
  expect_screen "rm -rf /tmp/ft-workload-core"
  # The details pane.
  tm send-keys -t t d
  wait_for "details of"
  expect_screen "argv     sh -c 'rm -rf /tmp/ft-workload-core"
  tm send-keys -t t d
  wait_gone "details of"
  # Failures only: the command succeeded, so there is no failure path and every
  # failure was handled, folded into one row per executable (issue 24); the
  # fold key opens a group.
  tm send-keys -t t f
  wait_for "FAILURES"
  expect_not_screen "true vforked"
  expect_screen "13 handled failures: ft-workload"
  expect_not_screen "sh -c 'kill -TERM \$\$'"
  tm send-keys -t t G Enter
  wait_for "sh -c 'kill -TERM \$\$'"
  tm send-keys -t t f
  wait_for "true vforked"
  # Help.
  tm send-keys -t t '?'
  wait_for "this help; any key closes it"
  tm send-keys -t t x
  wait_gone "this help; any key closes it"
  # A resize redraws for the new size.
  tm resize-window -t t -x 50 -y 20
  wait_for "SIGSEGV core"  # the narrow form of the status
  local widest
  widest=$(screen | LC_ALL=C.UTF-8 wc -L)
  [ "$widest" -le 50 ] || fail "a line of $widest columns after resizing to 50"
  tm resize-window -t t -x 100 -y 30
  wait_for "SIGSEGV (core dumped)"
  tm send-keys -t t q
  expect_restored 0
}

live_suite() {
  require_root "live --tui tests need root"
  start_shell 100 30
  # The command runs, writes to its own terminal (shown in the output pane, not
  # over the tree), ends when told; the final tree stays until q; forktrace
  # exits with the command's status and has recorded the run.
  run "$forktrace --tui -w $work/live.ftrace -- sh -c 'echo from-the-command; tty; while [ ! -e $work/go ]; do sleep 0.05; done; exit 3'"
  wait_for "sh -c 'echo from-the-command; tty; while"
  tm send-keys -t t o
  wait_for "── output of sh -c"
  wait_for "/dev/pts/"
  expect_screen "from-the-command"
  touch "$work/go"
  wait_for "ended: exit 3"
  expect_screen "trace ended: q quits."
  expect_not_screen "EXIT="
  tm send-keys -t t q
  expect_restored 3
  "$forktrace" -r "$work/live.ftrace" --format tree >"$work/tree" 2>&1 || fail "the recording does not replay"
  grep -q "exit 3" "$work/tree" || fail "the recording lacks the command's exit: $(cat "$work/tree")"

  # q while the command runs ends it as a closed terminal would (SIGHUP).
  run "$forktrace --tui -- sleep 1000"
  wait_for "sleep 1000  running" || return  # its argv: it has exec'd
  tm send-keys -t t q
  expect_restored 129

  # Ctrl-C interrupts the command; the final tree stays until q.
  run "$forktrace --tui -- sleep 1000"
  wait_for "sleep 1000  running" || return  # its argv: it has exec'd
  tm send-keys -t t C-c
  wait_for "ended: killed by SIGINT"
  expect_screen "killed by SIGINT"
  tm send-keys -t t q
  expect_restored 130

  # SIGTERM to forktrace: passed to the command, the terminal restored at once.
  run "$forktrace --tui -- sleep 1000"
  wait_for "sleep 1000  running" || return  # its argv: it has exec'd
  local shell_pid ft_pid
  shell_pid=$(tm display-message -p -t t '#{pane_pid}')
  ft_pid=$(pgrep -P "$shell_pid" -x forktrace | head -1)
  [ -n "$ft_pid" ] && kill -TERM "$ft_pid"
  expect_restored 143

  # The command crashes: its core dump shows, and q still restores.
  run "$forktrace --tui -- sh -c 'kill -SEGV \$\$'"
  wait_for "ended: killed by SIGSEGV" || return
  tm send-keys -t t q
  expect_restored 139
}

case "$suite" in
  replay) replay_suite ;;
  live) live_suite ;;
  *) echo "usage: $0 FORKTRACE RECORDING replay|live" >&2; exit 2 ;;
esac
if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all $suite checks passed"
