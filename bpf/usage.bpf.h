/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A process's own resource usage, read at its last thread's sched_process_exit.
 * Included by forktrace.bpf.c only.
 *
 * What wait4() will report for the process is what getrusage(RUSAGE_SELF)
 * and thread_group_cputime() sum (kernel/sys.c, kernel/sched/cputime.c): the
 * totals of the threads already released, which __exit_signal() added to
 * signal_struct, plus the counters of every thread still on the signal's
 * thread list. At the tracepoint that list still holds the exiting thread
 * and a leader that ended earlier (pthread_exit) and waits as a zombie, and
 * after an exit_group it can hold threads still on their way out. So this
 * sums exactly what the kernel sums, read under signal->stats_lock's
 * sequence count the way thread_group_cputime() reads it locklessly.
 *
 * Peak RSS needs no mm walk: do_exit() folds the mm's high-water mark into
 * signal->maxrss (setmax_mm_hiwater_rss) when the group dies, before this
 * tracepoint, in every kernel from 2.6.32 (commit 1f10206cf8e9) to this day.
 * That holds whether exit_mm() runs before the tracepoint (5.x, 6.1) or
 * after it (since the change that gave the tracepoint group_dead), and whichever
 * form mm->rss_stat has (an atomic array, or percpu_counters since 6.2,
 * commit f1a7941243c1): the kernel read it, and wait4() reports that value.
 *
 * The last program's own peak (program_max_rss_kb): exec gives the process a
 * new mm, so that mm's high-water mark counts nothing of the image before the
 * exec, which signal->maxrss (exec_mmap() folds the old mm into it) and so
 * wait4() do count. It is read as get_mm_hiwater_rss() reads it: hiwater_rss,
 * raised at each unmap, or the resident count if that is higher now, each
 * counter as percpu_counter_read_positive() reads it. Only where the
 * tracepoint comes before exit_mm() (the kernels that pass group_dead, all
 * 6.2 or later, so rss_stat is an array of percpu_counters); before that
 * change exit_mmap() has already dropped the counters without raising the
 * mark, and the figure is left out.
 *
 * Storage I/O: signal->ioac also accumulates every reaped child's I/O
 * (wait_task_zombie()), so it cannot say what the process did itself. The
 * dead threads' own share is kept apart in signal->inblock/oublock, in
 * 512-byte units (task_io_get_inblock(): read_bytes >> 9); block I/O is
 * accounted in whole sectors, so nothing is lost by the shift.
 */
#ifndef FORKTRACE_USAGE_BPF_H
#define FORKTRACE_USAGE_BPF_H

/* log2(PAGE_SIZE / 1024): set by user space before load (x86: 4 KiB pages). */
const volatile __u32 page_kb_shift = 2;

#define FT_USAGE_TRIES 4        /* reads of the sums before giving up on a stable one */
#define FT_USAGE_THREADS_MAX 64 /* listed threads summed besides the exiting one */

#ifndef barrier
#define barrier() asm volatile("" ::: "memory")
#endif

/*
 * signal->stats_lock's sequence: the first word of seqlock_t in every layout
 * (seqcount_t up to 5.9, seqcount_spinlock_t since 5.10, commit 1909760f5fc3).
 * Odd while __exit_signal() moves a thread's totals into the signal.
 */
static __always_inline __u32 stats_sequence(struct signal_struct *sig)
{
	return *(volatile __u32 *)&sig->stats_lock;
}

/* The exiting thread: a trusted pointer, so plain loads. */
static __always_inline void add_own_counters(struct ft_usage *u, struct task_struct *t)
{
	u->utime_ns += t->utime;
	u->stime_ns += t->stime;
	u->runtime_ns += t->se.sum_exec_runtime;
	u->min_flt += t->min_flt;
	u->maj_flt += t->maj_flt;
	u->nvcsw += t->nvcsw;
	u->nivcsw += t->nivcsw;
	if (bpf_core_field_exists(t->ioac.read_bytes)) {
		u->read_bytes += t->ioac.read_bytes;
		u->write_bytes += t->ioac.write_bytes;
	}
}

/* Another listed thread, reached through the list: read with probe reads. */
static __always_inline void add_listed_counters(struct ft_usage *u, struct task_struct *t)
{
	u->utime_ns += BPF_CORE_READ(t, utime);
	u->stime_ns += BPF_CORE_READ(t, stime);
	u->runtime_ns += BPF_CORE_READ(t, se.sum_exec_runtime);
	u->min_flt += BPF_CORE_READ(t, min_flt);
	u->maj_flt += BPF_CORE_READ(t, maj_flt);
	u->nvcsw += BPF_CORE_READ(t, nvcsw);
	u->nivcsw += BPF_CORE_READ(t, nivcsw);
	if (bpf_core_field_exists(t->ioac.read_bytes)) {
		u->read_bytes += BPF_CORE_READ(t, ioac.read_bytes);
		u->write_bytes += BPF_CORE_READ(t, ioac.write_bytes);
	}
}

/* One pass over the signal's totals and the thread list; false if cut short. */
static __always_inline bool sum_usage(struct task_struct *task, struct signal_struct *sig,
				      struct ft_usage *u)
{
	unsigned long node = 0, offset = bpf_core_field_offset(struct task_struct, thread_node);
	int listed = sig->nr_threads; /* threads on the list, decremented with the unhash */
	__u32 i;

	u->utime_ns = sig->utime;
	u->stime_ns = sig->stime;
	u->runtime_ns = sig->sum_sched_runtime;
	u->min_flt = sig->min_flt;
	u->maj_flt = sig->maj_flt;
	u->nvcsw = sig->nvcsw;
	u->nivcsw = sig->nivcsw;
	u->read_bytes = (__u64)sig->inblock << 9;
	u->write_bytes = (__u64)sig->oublock << 9;
	u->max_rss_kb = (__u64)sig->maxrss << page_kb_shift;
	/* Absent with CONFIG_VIRT_CPU_ACCOUNTING_NATIVE, where no split is done. */
	if (bpf_core_field_exists(sig->prev_cputime)) {
		u->prev_utime_ns = sig->prev_cputime.utime;
		u->prev_stime_ns = sig->prev_cputime.stime;
	} else {
		u->prev_utime_ns = 0;
		u->prev_stime_ns = 0;
	}
	add_own_counters(u, task);
	u->threads = 1;
	if (listed <= 1) /* only the exiting thread, which is not released yet */
		return true;

	bpf_probe_read_kernel(&node, sizeof(node), &sig->thread_head.next);
	for (i = 0; i < FT_USAGE_THREADS_MAX + 1 && i < (__u32)listed; i++) {
		struct task_struct *t = (struct task_struct *)(node - offset);

		if (BPF_CORE_READ(t, pid) != task->pid) {
			add_listed_counters(u, t);
			u->threads++;
		}
		/* list_head.next is its first word */
		if (bpf_probe_read_kernel(&node, sizeof(node), (void *)node))
			return false;
	}
	return (__u32)listed <= FT_USAGE_THREADS_MAX + 1;
}

static __always_inline void read_usage(struct task_struct *task, struct ft_usage *u)
{
	struct signal_struct *sig = task->signal;
	__u32 seq, i;

	__builtin_memset(u, 0, sizeof(*u));
	for (i = 0; i < FT_USAGE_TRIES; i++) {
		seq = stats_sequence(sig);
		if (seq & 1)
			continue;
		/* Loads stay in program order on x86; this keeps the compiler's too. */
		barrier();
		if (!sum_usage(task, sig, u))
			break;
		barrier();
		if (stats_sequence(sig) == seq)
			goto done;
	}
	u->flags |= FT_USAGE_PARTIAL;
done:
	if (!bpf_core_field_exists(task->ioac.read_bytes))
		u->flags |= FT_USAGE_NO_IO;
}

/*
 * mm->rss_stat as an array of percpu_counters (6.2 on, commit f1a7941243c1)
 * whatever vmlinux.h this is built with: arm64's is 6.1's, where it is a
 * struct. Only the program that reads it loads where it was not so.
 */
struct percpu_counter___ft {
	__s64 count;
} __attribute__((preserve_access_index));

struct mm_struct___percpu_rss {
	struct percpu_counter___ft rss_stat[4]; /* NR_MM_COUNTERS */
	unsigned long hiwater_rss;
} __attribute__((preserve_access_index));

/* Only called where the exiting task still has its mm (see the top). */
static __always_inline void read_program_rss(struct task_struct *task, struct ft_usage *u)
{
	struct mm_struct___percpu_rss *mm = (void *)task->mm;
	__s64 rss = 0, n;
	__u64 peak;

	if (!mm) /* a kernel thread */
		return;
	n = mm->rss_stat[MM_FILEPAGES].count;
	rss += n > 0 ? n : 0;
	n = mm->rss_stat[MM_ANONPAGES].count;
	rss += n > 0 ? n : 0;
	n = mm->rss_stat[MM_SHMEMPAGES].count;
	rss += n > 0 ? n : 0;
	peak = mm->hiwater_rss;
	if ((__u64)rss > peak)
		peak = rss;
	u->program_max_rss_kb = peak << page_kb_shift;
	u->flags |= FT_USAGE_PROGRAM_RSS;
}

#endif /* FORKTRACE_USAGE_BPF_H */
