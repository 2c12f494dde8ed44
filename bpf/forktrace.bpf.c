// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * forktrace's kernel side: one small program per scheduler tracepoint. They
 * report raw facts (ids, start times, raw exit statuses); user space decodes
 * and keeps the lineage. The only policy here is the pid filter and hiding
 * threads, both of which save real work when tracing one command on a busy
 * machine.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "forktrace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * tp_btf programs get typed kernel pointers, so fields are read with plain
 * loads (CO-RE relocated through vmlinux.h's preserve_access_index) rather
 * than a bpf_probe_read_kernel call each: tools/bench/bpf_cost.sh measures it.
 */

/* Set through the skeleton's rodata before load. */
const volatile bool filter_by_pid = false; /* only tgids in traced_pids and their descendants */
const volatile bool emit_threads = false;  /* thread fork and thread exit records */
const volatile bool capture_env = false;   /* environment bytes on exec (job markers) */
const volatile __u32 wakeup_bytes = 0;     /* 0: wake user space on every record */

/* Failed ring-buffer reservations per record kind; user space reports increases. */
__u64 lost_records[FT_RECORD_KIND_COUNT] = {};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* resized by user space before load */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536); /* resized by user space before load */
	__type(key, __u32);         /* tgid */
	__type(value, __u64);       /* its start_boottime (0: not yet known) */
} traced_pids SEC(".maps");

/*
 * Exec records are sized to their content, so they are built here first.
 * A power of two with room for every masked length below.
 */
#define FT_EXEC_SCRATCH 16384
_Static_assert(FT_EXEC_SCRATCH >= sizeof(struct ft_exec_record) + 2 * FT_FILENAME_MAX +
					 2 * FT_ARGS_MAX + 2 * FT_ENV_MAX,
	       "exec scratch too small");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[FT_EXEC_SCRATCH]);
} exec_scratch SEC(".maps");

/* Copied from include/linux/sched/signal.h; unchanged since v2.6.x. */
#define SIGNAL_GROUP_EXIT 0x00000004

static __always_inline void count_lost(__u32 kind)
{
	if (kind < FT_RECORD_KIND_COUNT)
		__sync_fetch_and_add(&lost_records[kind], 1);
}

/* Batch wake-ups: waking the consumer per record costs more than the record. */
static __always_inline __u64 wakeup_flags(void)
{
	if (!wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		       BPF_RB_FORCE_WAKEUP :
		       BPF_RB_NO_WAKEUP;
}

/*
 * Whether the process (tgid, start) is followed. An entry holds the start
 * time of the process it was made for, so a pid reused before the old entry
 * is removed (task frees can lag by minutes) does not inherit it. User space
 * gives pids with 0, filled in by the process's first event.
 */
static __always_inline bool is_traced(__u32 tgid, __u64 start_ns)
{
	__u64 *start;

	if (!filter_by_pid)
		return true;
	start = bpf_map_lookup_elem(&traced_pids, &tgid);
	if (!start)
		return false;
	if (!*start) /* a pid from user space: its first event names the process */
		*start = start_ns;
	return *start == start_ns;
}

#include "usage.bpf.h"

static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_pid = parent->tgid;
	__u32 child_pid = child->tgid;
	bool thread = parent_pid == child_pid;
	struct ft_fork_record *r;

	if (thread && !emit_threads)
		return 0;
	if (filter_by_pid) {
		__u64 child_start = child->start_boottime;

		if (!is_traced(parent_pid, parent->group_leader->start_boottime))
			return 0;
		if (!thread)
			bpf_map_update_elem(&traced_pids, &child_pid, &child_start, BPF_ANY);
	}

	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_lost(FT_RECORD_FORK);
		return 0;
	}
	r->head.ts_ns = bpf_ktime_get_boot_ns();
	r->head.kind = FT_RECORD_FORK;
	r->head.size = sizeof(*r);
	r->child_start_ns = child->start_boottime;
	r->parent_start_ns = parent->group_leader->start_boottime;
	r->cgroup_id = task_cgroup_id(child);
	r->parent_pid = parent_pid;
	r->parent_tid = parent->pid;
	r->child_pid = child_pid;
	r->child_tid = child->pid;
	r->child_ppid = child->real_parent->tgid;
	r->flags = thread ? FT_FORK_THREAD : 0;
	BPF_CORE_READ_STR_INTO(&r->comm, child, comm);
	bpf_ringbuf_submit(r, wakeup_flags());
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_proc_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 pid = task->tgid;
	__u64 filename_len, args_len, env_len = 0, size;
	struct ft_exec_record *r;
	unsigned long start, end;
	__u32 zero = 0;
	__u8 flags = 0;
	long n;
	char *tail;

	if (!is_traced(pid, task->group_leader->start_boottime))
		return 0;
	r = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!r)
		return 0;

	r->head.kind = FT_RECORD_EXEC;
	r->start_ns = task->group_leader->start_boottime;
	r->cgroup_id = task_cgroup_id(task);
	r->pid = pid;
	r->tid = task->pid;
	r->old_tid = old_pid;
	r->ppid = task->real_parent->tgid;
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);
	r->pad = 0;

	/*
	 * Lengths stay in locals and are masked so the verifier can prove every
	 * offset lies inside the scratch buffer (FT_EXEC_SCRATCH bytes).
	 */
	n = bpf_probe_read_kernel_str(r->data, FT_FILENAME_MAX, bprm->filename);
	filename_len = n > 0 ? n : 0;
	filename_len &= 2 * FT_FILENAME_MAX - 1;
	tail = r->data + filename_len;

	/* The new image's argv, already copied to its stack by the kernel. */
	start = task->mm->arg_start;
	end = task->mm->arg_end;
	args_len = end > start ? end - start : 0;
	if (args_len > FT_ARGS_MAX) {
		args_len = FT_ARGS_MAX;
		flags |= FT_EXEC_ARGS_TRUNCATED;
	}
	args_len &= 2 * FT_ARGS_MAX - 1;
	if (args_len && bpf_probe_read_user(tail, args_len, (void *)start)) {
		args_len = 0;
		flags |= FT_EXEC_ARGS_TRUNCATED;
	}
	tail += args_len;

	if (capture_env) {
		start = task->mm->env_start;
		end = task->mm->env_end;
		env_len = end > start ? end - start : 0;
		if (env_len > FT_ENV_MAX) {
			env_len = FT_ENV_MAX;
			flags |= FT_EXEC_ENV_TRUNCATED;
		}
		env_len &= 2 * FT_ENV_MAX - 1;
		if (env_len && bpf_probe_read_user(tail, env_len, (void *)start)) {
			env_len = 0;
			flags |= FT_EXEC_ENV_TRUNCATED;
		}
	}
	r->filename_len = filename_len;
	r->args_len = args_len;
	r->env_len = env_len;
	r->flags = flags;

	size = sizeof(*r) + filename_len + args_len + env_len;
	size = (size + 7) & ~7ULL; /* keep records 8-byte aligned in the ring */
	size &= FT_EXEC_SCRATCH - 1;
	r->head.size = size;
	r->head.ts_ns = bpf_ktime_get_boot_ns(); /* close to the reservation, as the others */
	if (bpf_ringbuf_output(&events, r, size, wakeup_flags()))
		count_lost(FT_RECORD_EXEC);
	return 0;
}

static __always_inline void fill_exit(struct ft_exit_record *r, struct task_struct *task, __u32 flags,
				      __u32 size, __u64 ts_ns)
{
	if (task->signal->flags & SIGNAL_GROUP_EXIT)
		flags |= FT_EXIT_GROUP_EXIT;
	r->head.ts_ns = ts_ns;
	r->head.kind = FT_RECORD_EXIT;
	r->head.size = size;
	r->start_ns = task->start_boottime;
	r->process_start_ns = task->group_leader->start_boottime;
	r->cgroup_id = task_cgroup_id(task);
	r->pid = task->tgid;
	r->tid = task->pid;
	r->ppid = task->real_parent->tgid;
	r->exit_code = task->exit_code;
	r->group_exit_code = task->signal->group_exit_code;
	r->flags = flags;
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);
}

/* A process's exit carries its resource usage (usage.bpf.h); a thread's does not. */
static __always_inline int record_exit(struct task_struct *task, bool group_dead)
{
	struct ft_exit_record *r;
	__u64 ts_ns;

	if (!group_dead && !emit_threads)
		return 0;
	if (!is_traced(task->tgid, task->group_leader->start_boottime))
		return 0;

	ts_ns = bpf_ktime_get_boot_ns();
	if (!group_dead) {
		r = bpf_ringbuf_reserve(&events, FT_EXIT_RECORD_BASE, 0);
		if (!r) {
			count_lost(FT_RECORD_EXIT);
			return 0;
		}
		fill_exit(r, task, 0, FT_EXIT_RECORD_BASE, ts_ns);
		bpf_ringbuf_submit(r, wakeup_flags());
		return 0;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		count_lost(FT_RECORD_EXIT);
		return 0;
	}
	fill_exit(r, task, FT_EXIT_GROUP_DEAD | FT_EXIT_USAGE, sizeof(*r), ts_ns);
	read_usage(task, &r->usage);
	bpf_ringbuf_submit(r, wakeup_flags());
	return 0;
}

/*
 * Kernels whose tracepoint passes group_dead (do_exit()'s own
 * atomic_dec_and_test of signal->live): exact even when threads exit at once.
 * User space loads this one or the next, whichever the kernel's BTF fits.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_proc_exit, struct task_struct *task, bool group_dead)
{
	return record_exit(task, group_dead);
}

/*
 * Older kernels: do_exit() decrements signal->live before the tracepoint, so
 * zero means the last thread (unlike pid == tid, it holds when the leader
 * exits first). Two threads exiting at once can both read zero; user space
 * drops the second process exit.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_proc_exit_live_count, struct task_struct *task)
{
	return record_exit(task, task->signal->live.counter == 0);
}

/*
 * A process leaves the filter when its leader's task is freed: after every
 * thread's exit (the leader is released last), so none of them is dropped.
 * A leader replaced by exec (de_thread) took the exec'ing thread's tid and
 * fails the pid == tgid test. The start time keeps a reused pid's entry.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(sched_proc_free, struct task_struct *task)
{
	__u32 pid = task->tgid;
	__u64 *start;

	if (!filter_by_pid || task->pid != pid)
		return 0;
	start = bpf_map_lookup_elem(&traced_pids, &pid);
	if (start && *start == task->start_boottime)
		bpf_map_delete_elem(&traced_pids, &pid);
	return 0;
}
