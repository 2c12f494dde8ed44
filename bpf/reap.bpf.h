/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Who collected a dead process's status, and when: the end of its time as a
 * zombie. Included by forktrace.bpf.c only, after signal.bpf.h.
 *
 * A traced process's exit (record_exit) either is reaped at once, by the
 * kernel for a parent that ignores SIGCHLD (exit_notify()'s autoreap, decided
 * just after the exit tracepoint from the same facts read here), or leaves
 * an entry in `zombies`. A successful wait4 or waitid returns the reaped
 * process's pid as its caller's PID namespace numbers it: the per-syscall
 * tracepoints (tracefs) see that pid at the syscall's exit, and the entry,
 * found through `zombie_nspids` for a caller inside a PID namespace, becomes
 * an FT_RECORD_REAP record whose reaper is the caller.
 *
 * sched_process_free would see every release, but it runs from an RCU
 * callback, which CONFIG_RCU_LAZY holds for seconds: not a reap's time.
 * Not seen: a debugger's wait on a traced zombie that is not its child (it
 * is taken as the reap; the real parent's later wait is not reported), a
 * waitid with a NULL infop, and io_uring's waitid (6.7). Those zombies' entries
 * age out of the LRU maps and user space reports them as never reaped.
 */
#ifndef FORKTRACE_REAP_BPF_H
#define FORKTRACE_REAP_BPF_H

/* The generic numbers, which x86 and arm64 share. */
#define FT_SIGCHLD 17
#define FT_SIG_IGN 1
#define FT_SA_NOCLDWAIT 0x00000002
#define FT_WNOWAIT 0x01000000
#define FT_SIGINFO_PID_OFFSET 16 /* si_pid in a 64-bit siginfo: after three ints, aligned */
#define FT_PID_NS_LEVELS 3       /* levels below the first a zombie's pid is keyed by */

struct zombie {
	__u64 start_ns; /* the process's start_boottime */
	__u64 exit_ns;  /* its exit record's ts_ns */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* bounded: a zombie never reaped ages out */
	__uint(max_entries, 16384);
	__type(key, __u32); /* the zombie's tgid */
	__type(value, struct zombie);
} zombies SEC(".maps");

/* A zombie's pid as a PID namespace below the first numbers it. */
struct ns_pid {
	__u32 ns; /* the namespace's inode number */
	__u32 nr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ns_pid);
	__type(value, __u32); /* the zombie's tgid */
} zombie_nspids SEC(".maps");

/* A waitid in progress: its infop and options, from its entry to its exit. */
struct waitid_call {
	__u64 infop;
	__u32 options;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* a caller that dies in the call leaves its entry */
	__uint(max_entries, 1024);
	__type(key, __u32); /* the caller's tid */
	__type(value, struct waitid_call);
} waitid_calls SEC(".maps");

/*
 * Whether the kernel reaps `task`'s process itself when it ends: as
 * do_notify_parent() decides, for an untraced process that signals its
 * parent with SIGCHLD while the parent ignores it or set SA_NOCLDWAIT.
 */
static __always_inline bool autoreaped(struct task_struct *task)
{
	struct k_sigaction *chld;

	if (task->ptrace || task->exit_signal != FT_SIGCHLD)
		return false;
	chld = &task->real_parent->sighand->action[FT_SIGCHLD - 1];
	return (__u64)chld->sa.sa_handler == FT_SIG_IGN || (chld->sa.sa_flags & FT_SA_NOCLDWAIT);
}

/* At a traced process's exit (record_exit, after its exit record). */
static __always_inline void note_zombie(struct task_struct *task, __u64 exit_ns)
{
	struct task_struct *parent = task->real_parent;
	struct ft_reap_record r = {};
	struct zombie z = {};
	struct ns_pid key;
	struct upid up;
	__u64 pid_addr;
	__u32 tgid = task->tgid, level;
	int i;

	if (autoreaped(task)) {
		r.head.ts_ns = exit_ns;
		r.head.kind = FT_RECORD_REAP;
		r.head.size = sizeof(r);
		r.start_ns = task->group_leader->start_boottime;
		r.exit_ns = exit_ns;
		r.pid = tgid;
		r.reaper_pid = parent->tgid;
		r.reaper_tid = parent->pid;
		r.flags = FT_REAP_AUTOREAPED;
		BPF_CORE_READ_STR_INTO(&r.reaper_comm, parent, comm);
		if (bpf_ringbuf_output(&events, &r, sizeof(r), wakeup_flags()))
			count_lost(FT_RECORD_REAP);
		return;
	}
	z.start_ns = task->group_leader->start_boottime;
	z.exit_ns = exit_ns;
	bpf_map_update_elem(&zombies, &tgid, &z, BPF_ANY);
	/* Inside PID namespaces: the numbers a reaper there gets from wait. */
	pid_addr = (__u64)BPF_CORE_READ(task, group_leader, thread_pid);
	level = BPF_CORE_READ((struct pid *)pid_addr, level);
	for (i = 1; i <= FT_PID_NS_LEVELS; i++) {
		if (i > level || upid_at(pid_addr, i, &up))
			break;
		key.ns = ns_inum(up.ns);
		key.nr = up.nr;
		bpf_map_update_elem(&zombie_nspids, &key, &tgid, BPF_ANY);
	}
}

/* A wait by the current task returned `vpid` (in its own PID namespace) as collected. */
static __always_inline int record_reap(__u32 vpid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct ft_reap_record r = {};
	struct zombie *z;
	struct ns_pid key;
	struct upid up;
	__u64 pid_addr;
	__u32 pid = vpid, level, *global;

	pid_addr = (__u64)BPF_CORE_READ(task, thread_pid);
	level = BPF_CORE_READ((struct pid *)pid_addr, level);
	if (level) {
		if (level > 32 || upid_at(pid_addr, level, &up))
			return 0;
		key.ns = ns_inum(up.ns);
		key.nr = vpid;
		global = bpf_map_lookup_elem(&zombie_nspids, &key);
		if (!global)
			return 0;
		pid = *global;
		bpf_map_delete_elem(&zombie_nspids, &key);
	}
	z = bpf_map_lookup_elem(&zombies, &pid);
	if (!z)
		return 0; /* not traced, or not a zombie: a stopped or continued child */
	r.head.ts_ns = bpf_ktime_get_boot_ns();
	r.head.kind = FT_RECORD_REAP;
	r.head.size = sizeof(r);
	r.start_ns = z->start_ns;
	r.exit_ns = z->exit_ns;
	r.pid = pid;
	r.reaper_pid = BPF_CORE_READ(task, tgid);
	r.reaper_tid = BPF_CORE_READ(task, pid);
	bpf_get_current_comm(&r.reaper_comm, sizeof(r.reaper_comm));
	bpf_map_delete_elem(&zombies, &pid);
	if (bpf_ringbuf_output(&events, &r, sizeof(r), wakeup_flags()))
		count_lost(FT_RECORD_REAP);
	return 0;
}

/* wait4 (and waitpid, which libc makes of it) returns the collected pid. */
SEC("tracepoint/syscalls/sys_exit_wait4")
int sys_exit_wait4(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret <= 0)
		return 0;
	return record_reap(ctx->ret);
}

/* waitid returns 0 and writes the pid into the caller's siginfo. */
SEC("tracepoint/syscalls/sys_enter_waitid")
int sys_enter_waitid(struct trace_event_raw_sys_enter *ctx)
{
	struct waitid_call call = {};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	call.infop = ctx->args[2];
	call.options = ctx->args[3];
	if (!call.infop || (call.options & FT_WNOWAIT))
		return 0; /* no pid to read, or a look that leaves the zombie */
	bpf_map_update_elem(&waitid_calls, &tid, &call, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_waitid")
int sys_exit_waitid(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct waitid_call *call;
	__u64 infop;
	__s32 pid = 0;

	call = bpf_map_lookup_elem(&waitid_calls, &tid);
	if (!call)
		return 0;
	infop = call->infop;
	bpf_map_delete_elem(&waitid_calls, &tid);
	if (ctx->ret != 0 || bpf_probe_read_user(&pid, sizeof(pid), (void *)(infop + FT_SIGINFO_PID_OFFSET)))
		return 0;
	if (pid <= 0)
		return 0; /* WNOHANG and nothing to collect */
	return record_reap(pid);
}

#endif /* FORKTRACE_REAP_BPF_H */
