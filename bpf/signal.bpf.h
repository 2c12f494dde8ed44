/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Why a process died: who sent the signal that killed it, or what in the
 * kernel raised it. Included by forktrace.bpf.c only, after is_traced().
 *
 * signal:signal_generate fires for every signal generated on the machine,
 * SIGCHLD for every child's exit among them, so its program returns at the
 * cheapest test first: a signal whose default action neither ends nor dumps
 * a process, a result other than delivered, a target outside the traced
 * set, and a target that handles or ignores the signal. What is left is the
 * last signal that will end the process: its sender (current, where the
 * signal was generated), its siginfo's code and whether the kernel sent it
 * with no siginfo at all (SEND_SIG_NOINFO, SEND_SIG_PRIV), kept per process
 * in `kills` and consumed by the process's exit record (record_exit).
 *
 * The OOM killer sends its SIGKILL from the allocating task
 * (__oom_kill_process(): do_send_sig_info(SIGKILL, SEND_SIG_PRIV, victim)),
 * then marks the victim (oom:mark_victim), which marks the entry oom and
 * names the memory cgroup whose limit was hit.
 */
#ifndef FORKTRACE_SIGNAL_BPF_H
#define FORKTRACE_SIGNAL_BPF_H

/* include/trace/events/signal.h, enum trace_signal_result */
#define FT_TRACE_SIGNAL_DELIVERED 0
#define FT_TRACE_SIGNAL_LOSE_INFO 4 /* queued without its siginfo: delivered all the same */

/*
 * Signals whose default action neither terminates nor dumps core (the
 * generic numbers, which x86 and arm64 share): SIGCHLD 17, SIGCONT 18,
 * SIGSTOP 19, SIGTSTP 20, SIGTTIN 21, SIGTTOU 22, SIGURG 23, SIGWINCH 28.
 * Every other signal from 1 to 64, real-time ones included, ends a process.
 */
#define FT_NONFATAL_SIGNALS                                                                  \
	((1ULL << 17) | (1ULL << 18) | (1ULL << 19) | (1ULL << 20) | (1ULL << 21) | (1ULL << 22) | \
	 (1ULL << 23) | (1ULL << 28))
#define FT_SIGKILL 9
#define FT_NSIG 64

/* include/linux/signal_types.h: the special siginfo pointers */
#define FT_SEND_SIG_NOINFO 0
#define FT_SEND_SIG_PRIV 1

/* mark_victim passes only the victim's pid (kernels before its (task, uid) form): set by user space. */
const volatile bool oom_victim_by_pid = false;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* bounded: an entry never consumed ages out */
	__uint(max_entries, 4096);
	__type(key, __u32); /* the target's tgid */
	__type(value, struct ft_kill);
} kills SEC(".maps");

/* The value is larger than the BPF stack allows a local to be: built here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_kill);
} kill_scratch SEC(".maps");

/*
 * Only with oom_victim_by_pid: the kernel's SIGKILLs by victim tid, so that
 * mark_victim's pid finds its process and task (the OOM killer holds a
 * reference to it until after the mark).
 */
struct oom_candidate {
	__u64 task; /* struct task_struct *, as a number */
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32); /* the victim thread's tid */
	__type(value, struct oom_candidate);
} oom_candidates SEC(".maps");

/*
 * Whether the target still takes the signal's default action: a handled or
 * ignored signal does not end it. force_sig_info() resets a blocked or
 * ignored fault's handler to SIG_DFL before it generates the signal, so a
 * fault reads SIG_DFL here too. sighand is read as a number: the handler's
 * address is computed from the signal, a variable offset that a BTF pointer
 * does not allow.
 */
static __always_inline bool default_action(struct task_struct *task, int sig)
{
	__u64 sighand = (__u64)BPF_CORE_READ(task, sighand), handler = 1;
	__u64 at;

	if (!sighand)
		return false;
	at = sighand + bpf_core_field_offset(struct sighand_struct, action) +
	     (__u64)(sig - 1) * bpf_core_type_size(struct k_sigaction) +
	     bpf_core_field_offset(struct k_sigaction, sa.sa_handler);
	if (bpf_probe_read_kernel(&handler, sizeof(handler), (void *)at))
		return false;
	return handler == 0; /* SIG_DFL */
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *trusted_task, int group,
	     int result)
{
	struct task_struct *task = untrusted(trusted_task);
	struct task_struct *current;
	struct ft_kill *k;
	__u32 tgid, zero = 0;
	__u32 flags = 0;

	if (sig < 1 || sig > FT_NSIG || ((1ULL << sig) & FT_NONFATAL_SIGNALS))
		return 0;
	if (result != FT_TRACE_SIGNAL_DELIVERED && result != FT_TRACE_SIGNAL_LOSE_INFO)
		return 0;
	tgid = task->tgid;
	if (!is_traced(tgid, task->group_leader->start_boottime))
		return 0;
	if (sig != FT_SIGKILL && !default_action(task, sig))
		return 0;

	k = bpf_map_lookup_elem(&kill_scratch, &zero);
	if (!k)
		return 0;
	/* bpf_get_current_task_btf() came in 5.11: probe reads, on this rare path */
	current = (struct task_struct *)bpf_get_current_task();
	k->target_start_ns = task->group_leader->start_boottime;
	k->memcg_id = 0;
	k->signal = sig;
	k->si_code = 0;
	if ((__u64)info == FT_SEND_SIG_NOINFO)
		flags |= FT_KILL_NOINFO;
	else if ((__u64)info == FT_SEND_SIG_PRIV)
		flags |= FT_KILL_PRIV;
	else /* the verifier takes info for a number: a pointer that may be a special value */
		k->si_code = BPF_CORE_READ(info, si_code);
	if (group)
		flags |= FT_KILL_GROUP;
	if (result == FT_TRACE_SIGNAL_LOSE_INFO)
		flags |= FT_KILL_LOSE_INFO;
	k->flags = flags;
	k->sender_pid = BPF_CORE_READ(current, tgid);
	k->sender_tid = BPF_CORE_READ(current, pid);
	k->cgroup_len = 0;
	k->pad = 0;
	BPF_CORE_READ_STR_INTO(&k->sender_comm, current, comm);
	bpf_map_update_elem(&kills, &tgid, k, BPF_ANY);

	if (oom_victim_by_pid && sig == FT_SIGKILL && (flags & FT_KILL_PRIV)) {
		struct oom_candidate c = { .task = (__u64)task, .tgid = tgid };
		__u32 tid = task->pid;

		bpf_map_update_elem(&oom_candidates, &tid, &c, BPF_ANY);
	}
	return 0;
}

/* kernfs_node::parent became __parent in 6.15 (commit 633488947ef6, RCU-protected). */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

#define FT_MEMCG_DEPTH 8          /* memory cgroups looked at, from the victim's up */
#define FT_CGROUP_DEPTH 16        /* a cgroup path's components at most */
#define FT_OOM_MARGIN_PAGES 512   /* usage this close to the limit counts as at it (a THP's pages) */

/*
 * The memory cgroup whose limit was hit: the nearest one, from the victim's
 * up, that has a limit and whose usage is at it (the failed charge was at
 * most a huge page; the victim's memory is not freed yet). None for a
 * machine-wide OOM. The memory counter only: a cgroup v1 memory+swap limit
 * (memsw) is not looked at.
 */
static __always_inline struct mem_cgroup *memcg_at_limit(struct task_struct *task)
{
	int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	/* PAGE_COUNTER_MAX: LONG_MAX / PAGE_SIZE, "no limit" */
	__u64 unlimited = 0x7fffffffffffffffULL >> (10 + page_kb_shift);
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	__u64 usage, max;
	int i;

	if (id < 0 || id >= 16)
		return 0;
	css = BPF_CORE_READ(task, cgroups, subsys[id & 15]);
	for (i = 0; i < FT_MEMCG_DEPTH && css; i++) {
		memcg = container_of(css, struct mem_cgroup, css);
		max = BPF_CORE_READ(memcg, memory.max);
		usage = BPF_CORE_READ(memcg, memory.usage.counter);
		if (max < unlimited && usage + FT_OOM_MARGIN_PAGES >= max)
			return memcg;
		css = BPF_CORE_READ(css, parent);
	}
	return 0;
}

/* The cgroup's kernfs names into k->oom_cgroup, leaf first; the root's own name is not one. */
static __always_inline void cgroup_components(struct ft_kill *k, struct kernfs_node *kn)
{
	struct kernfs_node *parent;
	__u32 len = 0;
	long n;
	int i;

	for (i = 0; i < FT_CGROUP_DEPTH && kn; i++) {
		parent = kernfs_parent(kn);
		if (!parent)
			break;
		if (len >= FT_OOM_CGROUP_MAX / 2) {
			k->flags |= FT_KILL_CGROUP_CUT;
			break;
		}
		n = bpf_probe_read_kernel_str(k->oom_cgroup + (len & (FT_OOM_CGROUP_MAX / 2 - 1)),
					      FT_OOM_CGROUP_MAX / 2, BPF_CORE_READ(kn, name));
		if (n <= 0)
			break;
		len = (len + n) & (FT_OOM_CGROUP_MAX - 1);
		kn = parent;
	}
	if (i == FT_CGROUP_DEPTH && kn && kernfs_parent(kn))
		k->flags |= FT_KILL_CGROUP_CUT;
	k->cgroup_len = len;
}

/* `task` may be a BTF pointer or a number read from a map: every read is a probe read. */
static __always_inline void mark_oom_victim(struct task_struct *task, __u32 tgid)
{
	struct mem_cgroup *memcg;
	struct ft_kill *k;
	__u64 start = BPF_CORE_READ(task, group_leader, start_boottime);
	__u32 zero = 0;

	k = bpf_map_lookup_elem(&kills, &tgid);
	if (!k || k->target_start_ns != start) {
		/* Its SIGKILL was not seen (pending from before tracing, or a lost race): one now. */
		if (!is_traced(tgid, start))
			return;
		k = bpf_map_lookup_elem(&kill_scratch, &zero);
		if (!k)
			return;
		k->target_start_ns = start;
		k->signal = FT_SIGKILL;
		k->si_code = 0;
		k->flags = FT_KILL_PRIV | FT_KILL_GROUP;
		k->sender_pid = 0;
		k->sender_tid = 0;
		k->sender_comm[0] = 0;
		bpf_map_update_elem(&kills, &tgid, k, BPF_ANY);
		k = bpf_map_lookup_elem(&kills, &tgid);
		if (!k)
			return;
	}
	k->flags |= FT_KILL_OOM;
	k->memcg_id = 0;
	k->cgroup_len = 0;
	memcg = memcg_at_limit(task);
	if (memcg) {
		struct kernfs_node *kn = BPF_CORE_READ(memcg, css.cgroup, kn);

		k->memcg_id = BPF_CORE_READ(kn, id);
		cgroup_components(k, kn);
	}
}

/* Linux 6.8 on, and stable kernels that took the change (Debian's 6.1): mark_victim(task, uid). */
SEC("tp_btf/mark_victim")
int BPF_PROG(oom_mark_victim, struct task_struct *trusted_task, __u32 uid)
{
	struct task_struct *task = untrusted(trusted_task);

	mark_oom_victim(task, task->tgid);
	return 0;
}

/*
 * Before: mark_victim(pid), the victim thread's pid, joined through
 * oom_candidates. The pid is read from the context's first word as a
 * number, so that the program also loads (a test's) where that word is the
 * task of the newer form: the verifier would not let a pointer be cut to 32 bits.
 */
SEC("tp_btf/mark_victim")
int oom_victim_pid(__u64 *ctx)
{
	struct oom_candidate *c;
	__u32 tid = 0;

	bpf_probe_read_kernel(&tid, sizeof(tid), ctx); /* the int's low bytes: x86 and arm64 are little-endian */

	c = bpf_map_lookup_elem(&oom_candidates, &tid);
	if (!c)
		return 0;
	mark_oom_victim((struct task_struct *)c->task, c->tgid);
	bpf_map_delete_elem(&oom_candidates, &tid);
	return 0;
}

/*
 * The exit record's kill part, for the process (tgid, start) at its last
 * thread's exit: the entry is consumed; one for an earlier process of the
 * same pid is dropped. Returns the entry to copy, or null.
 */
static __always_inline struct ft_kill *kill_of(__u32 tgid, __u64 start)
{
	struct ft_kill *k = bpf_map_lookup_elem(&kills, &tgid);

	if (!k)
		return 0;
	if (k->target_start_ns != start) {
		bpf_map_delete_elem(&kills, &tgid);
		return 0;
	}
	return k;
}

#endif /* FORKTRACE_SIGNAL_BPF_H */
