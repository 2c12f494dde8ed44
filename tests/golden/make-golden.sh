#!/usr/bin/env bash
# Regenerates a golden recording and its expected replay output. Run as root
# only when the format or a view changes on purpose; review the diff.
#   make-golden.sh [FORKTRACE] [FT_WORKLOAD] [exec|basic|killed|program|reap]
# exec (the default): exec.ftrace, in format version 3: every exec attempt of
# `ft-workload exec_detail`, where and as whom (regenerate it only with a
# forktrace of that version, or it becomes version 4).
# killed: killed.ftrace, in format version 4: `ft-workload killed_by`, every
# sender and reason of a fatal signal (an OOM kill in a memory cgroup among
# them: run it where one can be made).
# program: program.ftrace, in format version 5: `ft-workload
# usage_program_rss`, a child that execs /bin/true from a 64 MiB image (make
# it on a kernel whose exit tracepoint passes group_dead, so that the exit
# carries the program's own peak).
# reap: reap.ftrace, in format version 6: `ft-workload reaping`, a parent
# that waits late, an orphan reaped by a subreaper with waitid, a child
# autoreaped for a parent ignoring SIGCHLD, a zombie left unreaped.
# basic: basic.ftrace, which is kept at version 1 on purpose, so that every
# forktrace is tested on reading an old file: regenerate it only with a
# forktrace of that version.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/forktrace}
workload=${2:-$here/../../build/tests/workload/ft-workload}
which=${3:-exec}
case $which in
  basic)
    "$bin" -q --threads -w "$here/basic.ftrace" -o /dev/null -- \
      sh -c '"$0" all >/dev/null 2>&1; sh -c "exit 3"; sh -c "kill -TERM \$\$"; true' "$workload" ;;
  exec)
    (cd /tmp && "$bin" -q -w "$here/exec.ftrace" -o /dev/null -- "$workload" exec_detail >/dev/null) ;;
  killed)
    (cd /tmp && "$bin" -q -w "$here/killed.ftrace" -o /dev/null -- "$workload" killed_by >/dev/null) ;;
  program)
    (cd /tmp && "$bin" -q -w "$here/program.ftrace" -o /dev/null -- "$workload" usage_program_rss >/dev/null) ;;
  reap)
    (cd /tmp && "$bin" -q -w "$here/reap.ftrace" -o /dev/null -- "$workload" reaping >/dev/null) ;;
  *) echo "make-golden.sh: exec, basic, killed, program or reap, not $which" >&2; exit 2 ;;
esac
"$here/check.sh" "$bin" "$here" --update "$which"
