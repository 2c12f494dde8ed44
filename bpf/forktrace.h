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
#define FT_FILENAME_MAX 256 /* bytes, with the NUL */
#define FT_ARGS_MAX 2048    /* bytes of NUL-separated argv */
#define FT_ENV_MAX 4096     /* bytes of environment, captured only when asked */

enum ft_record_kind {
	FT_RECORD_FORK = 1,
	FT_RECORD_EXEC = 2,
	FT_RECORD_EXIT = 3,
	FT_RECORD_KIND_COUNT = 4, /* bound for per-kind counters */
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
};

enum ft_exec_flags {
	FT_EXEC_ARGS_TRUNCATED = 1 << 0,
	FT_EXEC_ENV_TRUNCATED = 1 << 1,
};

struct ft_exec_record {
	struct ft_record_head head;
	__u64 start_ns;  /* the process's start_boottime */
	__u64 cgroup_id;
	__u32 pid;
	__u32 tid;     /* after exec always equal to pid */
	__u32 old_tid; /* the thread that called exec (!= pid when a non-leader did) */
	__u32 ppid;
	char comm[FT_COMM_LEN];
	__u16 filename_len; /* bytes in data[], with the NUL */
	__u16 args_len;     /* bytes in data[] after the filename */
	__u16 env_len;      /* bytes in data[] after the args */
	__u8 flags;         /* enum ft_exec_flags */
	__u8 pad;
	char data[]; /* filename, then argv, then env: NUL-separated strings */
};

enum ft_exit_flags {
	FT_EXIT_GROUP_DEAD = 1 << 0, /* the last thread: the process has ended */
	FT_EXIT_GROUP_EXIT = 1 << 1, /* SIGNAL_GROUP_EXIT: group_exit_code is the status */
	FT_EXIT_USAGE = 1 << 2,      /* the record ends with struct ft_usage */
};

enum ft_usage_flags {
	FT_USAGE_PARTIAL = 1 << 0, /* not every thread could be summed: do not trust the sums */
	FT_USAGE_NO_IO = 1 << 1,   /* a kernel without CONFIG_TASK_IO_ACCOUNTING */
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

#define FT_EXIT_RECORD_BASE 80 /* bytes of an exit record without usage */

#define FT_EXEC_RECORD_MAX \
	(sizeof(struct ft_exec_record) + FT_FILENAME_MAX + FT_ARGS_MAX + FT_ENV_MAX)

/* Layout checks; the C++ side repeats them with offsetof. */
#ifndef __cplusplus
_Static_assert(sizeof(struct ft_record_head) == 16, "record head");
_Static_assert(sizeof(struct ft_fork_record) == 80, "fork record");
_Static_assert(sizeof(struct ft_exec_record) == 72, "exec record");
_Static_assert(sizeof(struct ft_usage) == 104, "usage");
_Static_assert(sizeof(struct ft_exit_record) == FT_EXIT_RECORD_BASE + 104, "exit record");
_Static_assert(__builtin_offsetof(struct ft_exit_record, usage) == FT_EXIT_RECORD_BASE, "exit usage");
#endif

#endif /* FORKTRACE_H */
