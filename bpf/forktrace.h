/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The records forktrace's BPF programs send to user space: the whole ABI
 * between bpf/forktrace.bpf.c and userspace/. Fixed-width types only,
 * largest fields first, explicit padding, and a common head on every record.
 * Kind numbers are never reused.
 *
 * Names are the kernel's where they come straight from it; "pid" here is
 * always the process (the kernel's tgid) and "tid" the thread (its pid).
 */
#ifndef FORKTRACE_H
#define FORKTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define FT_COMM_LEN 16
#define FT_FILENAME_MAX 1024 /* bytes, with the NUL (paths in builds pass 256); longer ones are flagged cut */
#define FT_ARGS_MAX 4096    /* bytes of NUL-separated argv in the exec record itself */
#define FT_ENV_MAX 4096     /* bytes of environment, captured only when asked */
#define FT_PATH_MAX 2048    /* bytes of a path's components (cwd, exe) */
#define FT_PATH_DEPTH 64    /* dentries and mounts a path walk visits at most */
#define FT_ARGS_CHUNK 8192  /* argv bytes per FT_RECORD_ARGS record */
#define FT_ARGS_BOUND_MAX (FT_ARGS_MAX + 256 * FT_ARGS_CHUNK) /* ~2 MiB: --max-args-size's top */
#define FT_FAILED_ARGC_MAX 128 /* argv pointers a failed exec's record reads */
#define FT_OOM_CGROUP_MAX 256  /* bytes of an OOM kill's memory cgroup path components */

enum ft_record_kind {
	FT_RECORD_FORK = 1,
	FT_RECORD_EXEC = 2,
	FT_RECORD_EXIT = 3,
	/* 4 is the user-space `lost` event, never a record */
	FT_RECORD_EXEC_FAILED = 5, /* an execve/execveat that returned an error */
	FT_RECORD_ARGS = 6,        /* argv beyond the exec record's own FT_ARGS_MAX bytes */
	FT_RECORD_REAP = 7,        /* a dead process's status was collected: it is no longer a zombie */
	FT_RECORD_KIND_COUNT = 8,  /* bound for per-kind counters */
};

struct ft_record_head {
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u32 kind;  /* enum ft_record_kind */
	__u32 size;  /* bytes of the whole record, head included */
};

enum ft_fork_flags {
	FT_FORK_THREAD = 1 << 0, /* CLONE_THREAD: a new thread, not a process */
};

struct ft_fork_record {
	struct ft_record_head head;
	__u64 child_start_ns;  /* the new task's start_boottime */
	__u64 parent_start_ns; /* the forking process's (leader's) start_boottime */
	__u64 cgroup_id;       /* cgroup v2 id (kernfs inode) of the child */
	__u32 parent_pid;
	__u32 parent_tid;
	__u32 child_pid;
	__u32 child_tid;
	__u32 child_ppid; /* the child's real_parent tgid (differs with CLONE_PARENT) */
	__u32 flags;      /* enum ft_fork_flags */
	char comm[FT_COMM_LEN];
	__u32 child_nspid; /* the child's process in its own PID namespace, 0 in the first (pidns.bpf.h) */
	__u32 pad;
};

enum ft_exec_flags {
	FT_EXEC_ARGS_TRUNCATED = 1 << 0, /* argv longer than the bound, or unreadable */
	FT_EXEC_ENV_TRUNCATED = 1 << 1,
	FT_EXEC_CWD_CUT = 1 << 2, /* the cwd walk stopped at FT_PATH_MAX/FT_PATH_DEPTH */
	FT_EXEC_EXE_CUT = 1 << 3, /* the same for the executable's path */
	FT_EXEC_ARGS_LOST = 1 << 4, /* an FT_RECORD_ARGS reservation failed */
	FT_EXEC_FILENAME_CUT = 1 << 5, /* longer than FT_FILENAME_MAX - 1 bytes: cut there */
};

/*
 * Paths (cwd, exe) are sent as the kernel's dentry names from the leaf up,
 * each with its NUL ("gcc\0bin\0usr\0" for /usr/bin/gcc): user space joins
 * them in reverse. A walk that did not reach the root is flagged *_CUT.
 *
 * argv: the first FT_ARGS_MAX bytes travel in the exec record; the rest, up
 * to the bound user space set, in FT_RECORD_ARGS records sent just before the
 * exec record, with the same args_key and their offset into argv.
 */
struct ft_exec_record {
	struct ft_record_head head;
	__u64 start_ns;  /* the process's start_boottime */
	__u64 cgroup_id;
	__u64 args_key;  /* ties FT_RECORD_ARGS records to this exec */
	__u32 pid;
	__u32 tid;     /* after exec always equal to pid */
	__u32 old_tid; /* the thread that called exec (!= pid when a non-leader did) */
	__u32 ppid;
	__u32 uid, gid, euid, egid; /* task->real_cred after the exec */
	__u32 args_total; /* argv bytes sent in all (inline and chunks) */
	char comm[FT_COMM_LEN];
	__u16 filename_len; /* bytes in data[], with the NUL */
	__u16 interp_len;   /* bytes after the filename: bprm->interp, 0 unless it differs */
	__u16 cwd_len;      /* bytes of cwd components after the interpreter */
	__u16 exe_len;      /* bytes of exe components after the cwd */
	__u16 args_len;     /* bytes of argv after the exe, at most FT_ARGS_MAX */
	__u16 env_len;      /* bytes of environment after the argv */
	__u16 flags;        /* enum ft_exec_flags */
	__u16 pad;
	__u32 nspid; /* the process in its own PID namespace, 0 in the first (pidns.bpf.h) */
	char data[]; /* filename, interp, cwd, exe, argv, env */
};

struct ft_args_record {
	struct ft_record_head head;
	__u64 args_key;
	__u32 pid;
	__u32 tid;
	__u32 offset; /* into argv */
	__u32 len;    /* bytes in data[] */
	char data[];
};

enum ft_exec_failed_flags {
	FT_EXEC_FAILED_ARGS_TRUNCATED = 1 << 0, /* argv not wholly read (fault, bound) */
	FT_EXEC_FAILED_CWD_CUT = 1 << 1,
	FT_EXEC_FAILED_FILENAME_FAULT = 1 << 2, /* the filename could not be read */
	FT_EXEC_FAILED_EXECVEAT = 1 << 3,       /* execveat, not execve */
	FT_EXEC_FAILED_FILENAME_CUT = 1 << 4,   /* longer than FT_FILENAME_MAX - 1 bytes: cut there */
};

struct ft_exec_failed_record {
	struct ft_record_head head;
	__u64 start_ns; /* the process's start_boottime */
	__u64 cgroup_id;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 error; /* positive errno */
	char comm[FT_COMM_LEN];
	__u16 filename_len; /* bytes in data[], with the NUL */
	__u16 cwd_len;      /* cwd components after the filename */
	__u16 args_len;     /* NUL-separated argv after the cwd */
	__u16 flags;        /* enum ft_exec_failed_flags */
	char data[];
};

enum ft_exit_flags {
	FT_EXIT_GROUP_DEAD = 1 << 0, /* the last thread: the process has ended */
	FT_EXIT_GROUP_EXIT = 1 << 1, /* SIGNAL_GROUP_EXIT: group_exit_code is the status */
	FT_EXIT_USAGE = 1 << 2,      /* the record ends with struct ft_usage */
	FT_EXIT_KILL = 1 << 3,       /* struct ft_kill follows the usage */
};

enum ft_usage_flags {
	FT_USAGE_PARTIAL = 1 << 0, /* not every thread could be summed: do not trust the sums */
	FT_USAGE_NO_IO = 1 << 1,   /* a kernel without CONFIG_TASK_IO_ACCOUNTING */
	FT_USAGE_PROGRAM_RSS = 1 << 2, /* program_max_rss_kb is known (usage.bpf.h) */
};

/*
 * A whole process's own resource usage at its last thread's exit: the dead
 * threads' totals in signal_struct plus every thread still listed (the
 * exiting one, a zombie leader). Children are not counted. Raw counters, as
 * getrusage() starts from; user space splits the CPU time (docs/design.md).
 */
struct ft_usage {
	__u64 utime_ns;      /* tick-sampled user time */
	__u64 stime_ns;      /* tick-sampled system time */
	__u64 runtime_ns;    /* sum_exec_runtime: the scheduler's exact CPU time */
	__u64 prev_utime_ns; /* signal->prev_cputime: the split last reported to anyone */
	__u64 prev_stime_ns;
	__u64 max_rss_kb;    /* signal->maxrss, in KiB */
	__u64 min_flt;
	__u64 maj_flt;
	__u64 nvcsw;
	__u64 nivcsw;
	__u64 read_bytes;  /* storage reads, as /proc/PID/io read_bytes */
	__u64 write_bytes; /* storage writes, as /proc/PID/io write_bytes */
	__u64 program_max_rss_kb; /* the last program's own peak, since its exec (FT_USAGE_PROGRAM_RSS) */
	__u32 threads;     /* threads read from the thread list, the exiting one included */
	__u32 flags;       /* enum ft_usage_flags */
};

struct ft_exit_record {
	struct ft_record_head head;
	__u64 start_ns;         /* the exiting thread's start_boottime */
	__u64 process_start_ns; /* the process's (leader's) start_boottime */
	__u64 cgroup_id;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 exit_code;       /* task->exit_code: raw wait status */
	__u32 group_exit_code; /* signal->group_exit_code: raw wait status */
	__u32 flags;           /* enum ft_exit_flags */
	char comm[FT_COMM_LEN];
	/* Only with FT_EXIT_USAGE (process exits); thread exits end before it. */
	struct ft_usage usage;
};

enum ft_kill_flags {
	FT_KILL_NOINFO = 1 << 0,     /* info was SEND_SIG_NOINFO: the kernel's send_sig(sig, task, 0) */
	FT_KILL_PRIV = 1 << 1,       /* info was SEND_SIG_PRIV: sent by the kernel itself */
	FT_KILL_GROUP = 1 << 2,      /* sent to the whole process, not one thread */
	FT_KILL_OOM = 1 << 3,        /* the OOM killer chose the process (oom:mark_victim) */
	FT_KILL_CGROUP_CUT = 1 << 4, /* oom_cgroup's walk stopped at its bound */
	FT_KILL_LOSE_INFO = 1 << 5,  /* delivered without its siginfo (TRACE_SIGNAL_LOSE_INFO) */
};

/*
 * The last signal that was delivered to a process, whose default action
 * ends it, while it had that action (signal:signal_generate): kept per
 * process and carried by its exit record. Raw facts; user space tells who
 * or what sent it (core/killed_by.h).
 */
struct ft_kill {
	__u64 target_start_ns; /* the killed process's start_boottime: whose entry this is */
	__u64 memcg_id;        /* FT_KILL_OOM: kernfs id of the memory cgroup found at its limit, 0 none */
	__u32 signal;
	__s32 si_code;    /* the siginfo's si_code; 0 with FT_KILL_NOINFO or FT_KILL_PRIV */
	__u32 sender_pid; /* the task that generated it (current then): its tgid */
	__u32 sender_tid;
	__u32 flags;      /* enum ft_kill_flags */
	__u16 cgroup_len; /* bytes of components in oom_cgroup */
	__u16 pad;
	char sender_comm[FT_COMM_LEN];
	/* The memory cgroup's kernfs names, leaf first, each with its NUL (as exec paths). */
	char oom_cgroup[FT_OOM_CGROUP_MAX];
};

enum ft_reap_flags {
	FT_REAP_AUTOREAPED = 1 << 0, /* no wait(): the parent ignores SIGCHLD (SIG_IGN, SA_NOCLDWAIT) */
};

/*
 * A process's status collected (reap.bpf.h): by a successful wait4/waitid,
 * whose caller is the reaper, or at the exit itself where the kernel reaps
 * it for a parent that ignores SIGCHLD (the reaper is then that parent).
 * Only for processes whose exit record was sent.
 */
struct ft_reap_record {
	struct ft_record_head head; /* ts_ns: when the status was collected */
	__u64 start_ns;             /* the reaped process's start_boottime */
	__u64 exit_ns;              /* its exit record's ts_ns */
	__u32 pid;                  /* the reaped process */
	__u32 reaper_pid;
	__u32 reaper_tid;
	__u32 flags; /* enum ft_reap_flags */
	char reaper_comm[FT_COMM_LEN];
};

#define FT_EXEC_RECORD_MAX                                                                \
	(sizeof(struct ft_exec_record) + 2 * FT_FILENAME_MAX + 2 * FT_PATH_MAX + FT_ARGS_MAX + \
	 FT_ENV_MAX)
#define FT_EXIT_RECORD_BASE 80 /* bytes of an exit record without usage */


/* Layout checks; the C++ side repeats them with offsetof. */
#ifndef __cplusplus
_Static_assert(sizeof(struct ft_record_head) == 16, "record head");
_Static_assert(sizeof(struct ft_fork_record) == 88, "fork record");
_Static_assert(sizeof(struct ft_exec_record) == 112, "exec record");
_Static_assert(sizeof(struct ft_args_record) == 40, "args record");
_Static_assert(sizeof(struct ft_exec_failed_record) == 72, "exec_failed record");
_Static_assert(sizeof(struct ft_usage) == 112, "usage");
_Static_assert(sizeof(struct ft_exit_record) == FT_EXIT_RECORD_BASE + 112, "exit record");
_Static_assert(__builtin_offsetof(struct ft_exit_record, usage) == FT_EXIT_RECORD_BASE, "exit usage");
_Static_assert(sizeof(struct ft_kill) == 56 + FT_OOM_CGROUP_MAX, "kill");
_Static_assert(sizeof(struct ft_reap_record) == 64, "reap record");
#endif

#endif /* FORKTRACE_H */
