/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A process's numbers in PID namespaces: its pid inside a container (the
 * records' nspid) and the namespaces a reaper's wait sees it in
 * (reap.bpf.h). Included by forktrace.bpf.c only.
 */
#ifndef FORKTRACE_PIDNS_BPF_H
#define FORKTRACE_PIDNS_BPF_H

/* The struct upid at numbers[level] of a struct pid (a number: computed offsets). */
static __always_inline int upid_at(__u64 pid, __u32 level, struct upid *out)
{
	__u64 at = pid + bpf_core_field_offset(struct pid, numbers) + (__u64)level * bpf_core_type_size(struct upid);

	return bpf_probe_read_kernel(out, sizeof(*out), (void *)at);
}

static __always_inline __u32 ns_inum(struct pid_namespace *ns)
{
	return BPF_CORE_READ(ns, ns.inum);
}

/*
 * The process's pid in its own PID namespace where that is below the first
 * (a container's), else 0. `leader`: the process's leader thread. Host
 * processes pay one read; a container's, one probe read more.
 */
static __always_inline __u32 process_nspid(struct task_struct *leader)
{
	__u64 pid_addr = (__u64)BPF_CORE_READ(leader, thread_pid);
	__u32 level = BPF_CORE_READ((struct pid *)pid_addr, level);
	struct upid up;

	if (!level || level > 32 || upid_at(pid_addr, level, &up))
		return 0;
	return up.nr;
}

#endif
