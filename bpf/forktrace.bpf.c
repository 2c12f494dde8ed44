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

#include "arch.h"
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
const volatile __u32 args_max = 128 * 1024; /* argv bytes sent per exec (--max-args-size) */
const volatile bool has_rdonly_cast = false; /* the kernel has the bpf_rdonly_cast kfunc (6.2) */
const volatile bool track_reaps = false;   /* the wait hooks are attached (reap.bpf.h) */

/*
 * A trusted BTF pointer (a tp_btf argument, bpf_get_current_task_btf) as an
 * untrusted one, for reading only. Since Linux 6.4 the verifier answers each
 * load of a pointer field through a trusted pointer, on each path reaching
 * it, with four searches of the kernel's whole BTF by name
 * (btf_nested_type_is_trusted): most of forktrace's start-up
 * (tools/bench/startup.sh). Through an untrusted pointer the same loads need
 * no search and are the same plain loads when running. Before 6.2 there is
 * no bpf_rdonly_cast, and no such search: the pointer is used as it is.
 * Helpers that want a trusted pointer (bpf_task_pt_regs) get the original.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define untrusted(ptr)                                                                          \
	((typeof(ptr))(has_rdonly_cast ?                                                         \
			       bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(typeof(*(ptr)))) : \
			       (void *)(ptr)))

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
 * Every offset into it is masked below FT_EXEC_SCRATCH / 2, and every write
 * is at most FT_ARGS_MAX bytes: the verifier can prove both stay inside.
 * BPF per-CPU values are limited to 32 KiB (PCPU_MIN_UNIT_SIZE).
 */
#define FT_EXEC_SCRATCH 32768
#define FT_SCRATCH_OFF_MASK (FT_EXEC_SCRATCH / 2 - 1)
_Static_assert(2 * FT_FILENAME_MAX + 2 * FT_PATH_MAX + FT_ARGS_MAX + FT_ENV_MAX <
		       FT_EXEC_SCRATCH / 2,
	       "exec scratch too small");
_Static_assert(sizeof(struct ft_exec_record) + FT_EXEC_SCRATCH / 2 + FT_ENV_MAX <= FT_EXEC_SCRATCH,
	       "exec scratch too small for its last write");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[FT_EXEC_SCRATCH]);
} exec_scratch SEC(".maps");

/*
 * Where a path walk starts and ends (dentry, vfsmount, the root's dentry and
 * vfsmount). Pointers read with direct BTF loads pass through this map value
 * to become plain numbers: a global function takes only scalars.
 */
struct path_ends {
	__u64 dentry, vfsmnt, root_dentry, root_mnt;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_ends);
} path_ends_scratch SEC(".maps");

/* One FT_RECORD_ARGS record; lengths are masked below 2 * FT_ARGS_CHUNK. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[sizeof(struct ft_args_record) + 2 * FT_ARGS_CHUNK]);
} args_scratch SEC(".maps");

/* A process's exit record and the kill that ended it, built before it is sent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[sizeof(struct ft_exit_record) + sizeof(struct ft_kill)]);
} exit_scratch SEC(".maps");

#define FT_NAME_BYTES 256 /* a dentry name (NAME_MAX 255) with its NUL */

#define FT_PATH_CUT (1u << 31) /* in path_components_*'s result: the walk was cut */
#define FT_DENTRY_WINDOW 128    /* bytes of a dentry read at once, from d_parent on */
#define FT_INLINE_NAME_COPY 40  /* bytes copied of an inline name: DNAME_INLINE_LEN, 32 or 40 */

/*
 * A path's dentry names from the leaf up to the task's root, as the kernel's
 * prepend_path() walks them (fs/d_path.c; Tetragon's bpf/process/bpf_d_path
 * does the same from BPF, where bpf_d_path is not allowed): up the dentries
 * to the mount's root, then to the mountpoint in the parent mount. Written
 * at byte `at` of exec_scratch; returns the bytes written (at most
 * FT_PATH_MAX), with FT_PATH_CUT when the walk did not reach the root within
 * FT_PATH_DEPTH steps and FT_PATH_MAX bytes.
 *
 * A global function, so the verifier checks its loop once rather than once
 * per path into it (inlined twice, the exec program passed its 1M-insn
 * limit); its arguments are therefore plain numbers read with BPF_CORE_READ.
 */
struct path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *mnt_root;
	__u64 root_dentry;
	__u64 root_mnt;
	char *out;
	__u32 len;
	__u32 reached;
};

/*
 * One step up the path; 1 ends the walk. `inline_names` only with bpf_loop:
 * in a plain loop of FT_PATH_DEPTH steps its branches exceed the verifier's
 * 1M-instruction budget.
 */
static __always_inline long path_step(struct path_walk *w, bool inline_names)
{
	struct dentry *dentry = w->dentry, *parent;
	struct mount *mnt = w->mnt, *mnt_parent;
	struct vfsmount *vfsmnt;
	const unsigned char *name;
	__u32 len = w->len;
	long n;

	if ((__u64)dentry == w->root_dentry && (__u64)w->vfsmnt == w->root_mnt) {
		w->reached = 1;
		return 1;
	}
	if (dentry == w->mnt_root) {
		mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
		if (mnt_parent == mnt) { /* the namespace's root mount */
			w->reached = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = mnt_parent;
		vfsmnt = &mnt_parent->mnt;
		w->vfsmnt = vfsmnt;
		w->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		return 0;
	}
	/*
	 * One read of the dentry from d_parent on gives the parent, the name's
	 * pointer and length, and, for a name of under DNAME_INLINE_LEN bytes
	 * (most), the name itself, stored inline in the dentry (d_iname, since
	 * 6.14 d_shortname): then no second helper call is needed. The offsets
	 * are CO-RE constants; a layout that does not fit takes the plain reads.
	 */
	__u32 at_parent = bpf_core_field_offset(struct dentry, d_parent);
	__u32 at_name = bpf_core_field_offset(struct dentry, d_name.name);
	__u32 at_len = bpf_core_field_offset(struct dentry, d_name.len);
	__u32 dentry_size = bpf_core_type_size(struct dentry);

	if (len > FT_PATH_MAX - FT_NAME_BYTES)
		return 1;
	if (inline_names && at_name > at_parent && at_len > at_parent && at_name - at_parent < FT_DENTRY_WINDOW &&
	    at_len - at_parent < FT_DENTRY_WINDOW && !(at_parent & 7) && !(at_name & 7) && !(at_len & 3) &&
	    at_parent + FT_DENTRY_WINDOW <= dentry_size) {
		__u64 words[FT_DENTRY_WINDOW / 8] = {};
		__u64 inline_at, name_len, k;
		char *out;

		if (bpf_probe_read_kernel(words, sizeof(words), (char *)dentry + at_parent))
			return 1;
		parent = (struct dentry *)words[0];
		if (parent == dentry) { /* a file system's root that is no mount's */
			w->reached = 1;
			return 1;
		}
		name = (const unsigned char *)words[((at_name - at_parent) / 8) & (FT_DENTRY_WINDOW / 8 - 1)];
		name_len = ((__u32 *)words)[((at_len - at_parent) / 4) & (FT_DENTRY_WINDOW / 4 - 1)];
		inline_at = (__u64)name - ((__u64)dentry + at_parent);
		if (inline_at <= FT_DENTRY_WINDOW - FT_INLINE_NAME_COPY && !(inline_at & 7) &&
		    name_len < FT_INLINE_NAME_COPY) {
			/* The name and its NUL, as whole words; what follows is overwritten or not sent. */
			out = w->out + (len & (FT_PATH_MAX - 1));
			for (k = 0; k < FT_INLINE_NAME_COPY / 8; k++)
				((__u64 *)out)[k] = words[(inline_at / 8 + k) & (FT_DENTRY_WINDOW / 8 - 1)];
			w->len = (len + name_len + 1) & (2 * FT_PATH_MAX - 1);
			w->dentry = parent;
			return 0;
		}
	} else if (at_name > at_parent && at_name - at_parent <= 32 && !((at_name - at_parent) & 7)) {
		/* d_parent and d_name.name a few words apart (every kernel): one read */
		__u64 words[5] = {};

		if (bpf_probe_read_kernel(words, at_name - at_parent + 8, (char *)dentry + at_parent))
			return 1;
		parent = (struct dentry *)words[0];
		name = (const unsigned char *)words[((at_name - at_parent) / 8) & 3];
	} else {
		parent = BPF_CORE_READ(dentry, d_parent);
		name = BPF_CORE_READ(dentry, d_name.name);
	}
	if (parent == dentry) { /* a file system's root that is no mount's */
		w->reached = 1;
		return 1;
	}
	n = bpf_probe_read_kernel_str(w->out + (len & (FT_PATH_MAX - 1)), FT_NAME_BYTES, name);
	/*
	 * The mask changes nothing (len stays below FT_PATH_MAX) but lets the
	 * verifier's bounds on len converge, so it can prune a plain loop.
	 */
	if (n > 0)
		w->len = (len + n) & (2 * FT_PATH_MAX - 1);
	w->dentry = parent;
	return 0;
}

static long path_loop_step(__u32 index, void *data)
{
	return path_step(data, true);
}

static __always_inline bool path_walk_start(struct path_walk *w, __u32 at, __u64 dentry_addr, __u64 vfsmnt_addr,
					    __u64 root_dentry, __u64 root_mnt)
{
	struct vfsmount *vfsmnt;
	__u32 zero = 0;

	w->out = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!w->out || !dentry_addr)
		return false;
	w->out += at & FT_SCRATCH_OFF_MASK;
	vfsmnt = (struct vfsmount *)vfsmnt_addr;
	w->dentry = (struct dentry *)dentry_addr;
	w->vfsmnt = vfsmnt;
	w->mnt = container_of(vfsmnt, struct mount, mnt);
	w->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	w->root_dentry = root_dentry;
	w->root_mnt = root_mnt;
	return true;
}

/*
 * Global functions, so the verifier checks each once per program rather than
 * once per path into it; their arguments are therefore plain numbers. Two of
 * them: with bpf_loop (5.17) the step is verified once; a kernel without it
 * rejects any program that so much as names a loop callback (its address is
 * a BPF_PSEUDO_FUNC, 5.13), so programs for such kernels use the plain
 * bounded loop, which takes the verifier longer (sched_proc_exec_plain).
 */
__noinline __u32 path_components_loop(__u32 at, __u64 dentry_addr, __u64 vfsmnt_addr, __u64 root_dentry,
				      __u64 root_mnt)
{
	struct path_walk w = {};

	if (!path_walk_start(&w, at, dentry_addr, vfsmnt_addr, root_dentry, root_mnt))
		return FT_PATH_CUT;
	bpf_loop(FT_PATH_DEPTH, path_loop_step, &w, 0);
	return w.reached ? w.len : w.len | FT_PATH_CUT;
}

__noinline __u32 path_components_plain(__u32 at, __u64 dentry_addr, __u64 vfsmnt_addr, __u64 root_dentry,
				       __u64 root_mnt)
{
	struct path_walk w = {};
	int i;

	if (!path_walk_start(&w, at, dentry_addr, vfsmnt_addr, root_dentry, root_mnt))
		return FT_PATH_CUT;
	for (i = 0; i < FT_PATH_DEPTH; i++)
		if (path_step(&w, false))
			break;
	return w.reached ? w.len : w.len | FT_PATH_CUT;
}

/*
 * The task's working directory, written at byte `at` of exec_scratch. `task`
 * is a BTF pointer (tp_btf argument, bpf_get_current_task_btf), so these are
 * direct loads, not bpf_probe_read calls: about 40 ns each saved.
 */
static __always_inline __u32 walk_path(__u32 at, struct dentry *dentry, struct vfsmount *vfsmnt,
					struct fs_struct *fs, bool loop)
{
	__u64 d, m, rd, rm;
	struct path_ends *ends;
	__u32 zero = 0;

	ends = bpf_map_lookup_elem(&path_ends_scratch, &zero);
	if (!ends)
		return FT_PATH_CUT;
	ends->dentry = (__u64)dentry;
	ends->vfsmnt = (__u64)vfsmnt;
	ends->root_dentry = (__u64)fs->root.dentry;
	ends->root_mnt = (__u64)fs->root.mnt;
	/* volatile: read back from memory, as numbers, not the registers just stored */
	d = *(volatile __u64 *)&ends->dentry;
	m = *(volatile __u64 *)&ends->vfsmnt;
	rd = *(volatile __u64 *)&ends->root_dentry;
	rm = *(volatile __u64 *)&ends->root_mnt;
	return loop ? path_components_loop(at, d, m, rd, rm) : path_components_plain(at, d, m, rd, rm);
}

static __always_inline __u32 cwd_components(__u32 at, struct task_struct *task, bool loop)
{
	struct fs_struct *fs = task->fs;

	return walk_path(at, fs->pwd.dentry, fs->pwd.mnt, fs, loop);
}

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

#include "pidns.bpf.h"
#include "usage.bpf.h"
#include "signal.bpf.h"
#include "reap.bpf.h"

static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return task->cgroups->dfl_cgrp->kn->id;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_proc_fork, struct task_struct *trusted_parent, struct task_struct *trusted_child)
{
	struct task_struct *parent = untrusted(trusted_parent), *child = untrusted(trusted_child);
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
	r->child_nspid = process_nspid(thread ? parent->group_leader : child);
	r->flags = thread ? FT_FORK_THREAD : 0;
	r->pad = 0;
	BPF_CORE_READ_STR_INTO(&r->comm, child, comm);
	bpf_ringbuf_submit(r, wakeup_flags());
	return 0;
}

/*
 * argv past the exec record's own FT_ARGS_MAX bytes, up to args_max, in
 * FT_RECORD_ARGS records sent before the exec record (user space joins them,
 * core/argv_assembly.h). One bpf_loop step per record: the verifier checks
 * the step once, where a plain loop of 256 made it give up.
 */
struct args_chunks_ctx {
	__u64 key;
	__u64 start; /* the argv's user address */
	__u32 pid;
	__u32 tid;
	__u32 total;
	__u32 failed; /* a record could not be read or sent */
};

static long send_args_chunk(__u32 index, void *data)
{
	struct args_chunks_ctx *ctx = data;
	__u32 offset = FT_ARGS_MAX + index * FT_ARGS_CHUNK, zero = 0;
	struct ft_args_record *c;
	__u64 len, size;

	if (offset >= ctx->total)
		return 1;
	c = bpf_map_lookup_elem(&args_scratch, &zero);
	if (!c)
		return 1;
	len = ctx->total - offset;
	if (len > FT_ARGS_CHUNK)
		len = FT_ARGS_CHUNK;
	len &= 2 * FT_ARGS_CHUNK - 1;
	if (bpf_probe_read_user(c->data, len, (void *)(ctx->start + offset))) {
		ctx->failed = 1;
		return 1;
	}
	size = (sizeof(*c) + len + 7) & ~7ULL;
	size &= 4 * FT_ARGS_CHUNK - 1;
	c->head.ts_ns = bpf_ktime_get_boot_ns();
	c->head.kind = FT_RECORD_ARGS;
	c->head.size = size;
	c->args_key = ctx->key;
	c->pid = ctx->pid;
	c->tid = ctx->tid;
	c->offset = offset;
	c->len = len;
	if (bpf_ringbuf_output(&events, c, size, 0)) {
		count_lost(FT_RECORD_ARGS);
		ctx->failed = 1;
	}
	return 0;
}

/* Returns false when part of argv could not be sent. */
static __always_inline bool send_args_chunks(__u32 pid, __u32 tid, __u64 key, __u64 start, __u32 total,
					     bool loop)
{
	struct args_chunks_ctx ctx = { .key = key, .start = start, .pid = pid, .tid = tid, .total = total };

	/* bpf_loop came in 5.17; before it, argv stops at FT_ARGS_MAX bytes (flagged). */
	if (!loop)
		return false;
	bpf_loop((total - FT_ARGS_MAX + FT_ARGS_CHUNK - 1) / FT_ARGS_CHUNK, send_args_chunk, &ctx, 0);
	return !ctx.failed;
}

/*
 * A filename into dst, with its NUL. One byte more than FT_FILENAME_MAX is
 * read so that a name of exactly FT_FILENAME_MAX - 1 bytes is told from a
 * longer one: a return above FT_FILENAME_MAX means cut, and the name is
 * ended at FT_FILENAME_MAX bytes (the extra byte is the next field's).
 */
static __always_inline long filename_into(char *dst, const void *src, bool user)
{
	long n = user ? bpf_probe_read_user_str(dst, FT_FILENAME_MAX + 1, src)
		      : bpf_probe_read_kernel_str(dst, FT_FILENAME_MAX + 1, src);

	if (n > FT_FILENAME_MAX)
		dst[FT_FILENAME_MAX - 1] = 0;
	return n;
}

static __always_inline int record_exec(struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm, bool loop)
{
	__u32 pid = task->tgid;
	__u64 off, len, size;
	struct ft_exec_record *r;
	const struct cred *cred;
	unsigned long start, end;
	struct fs_struct *fs;
	struct file *exe;
	__u32 zero = 0;
	__u16 flags = 0;
	__u32 walk;
	long n;

	if (!is_traced(pid, task->group_leader->start_boottime))
		return 0;
	r = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!r)
		return 0;

	r->head.kind = FT_RECORD_EXEC;
	r->start_ns = task->group_leader->start_boottime;
	r->cgroup_id = task_cgroup_id(task);
	r->args_key = bpf_ktime_get_boot_ns();
	r->pid = pid;
	r->tid = task->pid;
	r->old_tid = old_pid;
	r->ppid = task->real_parent->tgid;
	cred = task->real_cred;
	r->uid = cred->uid.val;
	r->gid = cred->gid.val;
	r->euid = cred->euid.val;
	r->egid = cred->egid.val;
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);
	r->pad = 0;
	r->nspid = process_nspid(task->group_leader);

	/*
	 * Offsets stay in locals and are masked so the verifier can prove every
	 * write lies inside the scratch buffer (FT_EXEC_SCRATCH bytes).
	 */
	n = filename_into(r->data, bprm->filename, false);
	if (n > FT_FILENAME_MAX)
		flags |= FT_EXEC_FILENAME_CUT;
	len = n > FT_FILENAME_MAX ? FT_FILENAME_MAX : n > 0 ? n : 0;
	r->filename_len = len;
	off = len & FT_SCRATCH_OFF_MASK;

	/* A #! script (binfmt_script) or binfmt_misc replaced bprm->interp. */
	len = 0;
	if (bprm->interp != bprm->filename) {
		n = bpf_probe_read_kernel_str(r->data + off, FT_FILENAME_MAX, bprm->interp);
		len = n > 0 ? n : 0;
	}
	r->interp_len = len;
	off = (off + len) & FT_SCRATCH_OFF_MASK;

	walk = cwd_components(sizeof(*r) + off, task, loop);
	if (walk & FT_PATH_CUT)
		flags |= FT_EXEC_CWD_CUT;
	len = walk & (2 * FT_PATH_MAX - 1);
	r->cwd_len = len;
	off = (off + len) & FT_SCRATCH_OFF_MASK;

	/* The file now running: for a script its interpreter, for fexecve the real one. */
	len = 0;
	exe = task->mm->exe_file;
	if (exe) {
		fs = task->fs;
		walk = walk_path(sizeof(*r) + off, exe->f_path.dentry, exe->f_path.mnt, fs, loop);
		if (walk & FT_PATH_CUT)
			flags |= FT_EXEC_EXE_CUT;
		len = walk & (2 * FT_PATH_MAX - 1);
	}
	r->exe_len = len;
	off = (off + len) & FT_SCRATCH_OFF_MASK;

	/* The new image's argv, already copied to its stack by the kernel. */
	start = task->mm->arg_start;
	end = task->mm->arg_end;
	size = end > start ? end - start : 0;
	if (size > args_max) {
		size = args_max;
		flags |= FT_EXEC_ARGS_TRUNCATED;
	}
	r->args_total = size;
	len = size > FT_ARGS_MAX ? FT_ARGS_MAX : size;
	len &= 2 * FT_ARGS_MAX - 1;
	if (len && bpf_probe_read_user(r->data + off, len, (void *)start)) {
		len = 0;
		r->args_total = 0;
		flags |= FT_EXEC_ARGS_TRUNCATED;
	}
	r->args_len = len;
	off = (off + len) & FT_SCRATCH_OFF_MASK;
	if (r->args_total > FT_ARGS_MAX &&
	    !send_args_chunks(pid, task->pid, r->args_key, start, r->args_total, loop))
		flags |= FT_EXEC_ARGS_LOST;

	len = 0;
	if (capture_env) {
		start = task->mm->env_start;
		end = task->mm->env_end;
		len = end > start ? end - start : 0;
		if (len > FT_ENV_MAX) {
			len = FT_ENV_MAX;
			flags |= FT_EXEC_ENV_TRUNCATED;
		}
		len &= 2 * FT_ENV_MAX - 1;
		if (len && bpf_probe_read_user(r->data + off, len, (void *)start)) {
			len = 0;
			flags |= FT_EXEC_ENV_TRUNCATED;
		}
	}
	r->env_len = len;
	r->flags = flags;

	size = sizeof(*r) + off + len;
	size = (size + 7) & ~7ULL; /* keep records 8-byte aligned in the ring */
	size &= FT_EXEC_SCRATCH - 1;
	r->head.size = size;
	r->head.ts_ns = bpf_ktime_get_boot_ns(); /* close to the reservation, as the others */
	if (bpf_ringbuf_output(&events, r, size, wakeup_flags()))
		count_lost(FT_RECORD_EXEC);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_proc_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	return record_exec(untrusted(task), old_pid, untrusted(bprm), true);
}

/* For kernels before bpf_loop (5.17): argv stops at FT_ARGS_MAX bytes, flagged. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_proc_exec_plain, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	return record_exec(untrusted(task), old_pid, untrusted(bprm), false);
}

#define FT_ARGV_CUT (1u << 31) /* in argv_strings's result: argv not wholly read */

/*
 * The strings of a user-space argv array (4-byte pointers for an ia32
 * caller), NUL-separated at byte `at` of exec_scratch, at most FT_ARGS_MAX
 * bytes. Global for the same reason as path_components_loop.
 */
struct argv_walk {
	__u64 argv;
	char *out;
	__u32 compat;
	__u32 len;
	__u32 done;
};

/* One argv string; 1 ends the walk. */
static __always_inline long argv_step(__u32 i, struct argv_walk *w)
{
	__u32 len = w->len;
	__u64 p = 0;
	long n;

	if (w->compat)
		n = bpf_probe_read_user(&p, 4, (void *)(w->argv + 4 * (__u64)i));
	else
		n = bpf_probe_read_user(&p, 8, (void *)(w->argv + 8 * (__u64)i));
	if (n)
		return 1;
	if (!p) {
		w->done = 1;
		return 1;
	}
	if (len >= FT_ARGS_MAX)
		return 1;
	n = bpf_probe_read_user_str(w->out + (len & (FT_ARGS_MAX - 1)), FT_ARGS_MAX, (void *)p);
	if (n <= 0)
		return 1;
	w->len = (len + n) & (2 * FT_ARGS_MAX - 1); /* a no-op that lets the verifier prune */
	return 0;
}

static long argv_loop_step(__u32 index, void *data)
{
	return argv_step(index, data);
}

/*
 * The strings of a user-space argv array (4-byte pointers for an ia32
 * caller), NUL-separated at byte `at` of exec_scratch, at most FT_ARGS_MAX
 * bytes. Global and looped like path_components_loop: only the failed-exec
 * programs use it, and they load only where the kernel has bpf_loop.
 */
__noinline __u32 argv_strings(__u32 at, __u64 argv, __u32 compat)
{
	struct argv_walk w = {};
	__u32 zero = 0;

	if (!argv)
		return 0; /* argv NULL: Linux runs the program with an empty one */
	w.out = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!w.out)
		return FT_ARGV_CUT;
	w.out += at & FT_SCRATCH_OFF_MASK;
	w.argv = argv;
	w.compat = compat;
	bpf_loop(FT_FAILED_ARGC_MAX, argv_loop_step, &w, 0);
	if (w.len > FT_ARGS_MAX) { /* the last string was cut */
		w.len = FT_ARGS_MAX;
		w.done = 0;
	}
	return w.done ? w.len : w.len | FT_ARGV_CUT;
}

/*
 * A failed execve/execveat, seen at the syscall's exit: the caller's memory
 * is still its own, so the filename and argv it passed are read from the
 * user pointers in the saved registers (bpf/arch.h). A page that is not
 * resident cannot be read here: that is flagged, never silently short.
 */
static __always_inline int record_exec_failure(struct pt_regs *regs, long ret)
{
	struct task_struct *task = untrusted(bpf_get_current_task_btf());
	long nr = FT_SYSCALL_NR(regs);
	unsigned long filename, argv;
	struct ft_exec_failed_record *r;
	bool compat, at;
	__u32 pid, walk, zero = 0;
	__u64 off, len, size;
	__u16 flags = 0;
	long n;

	if (nr == FT_NR_EXECVE || nr == FT_NR_EXECVEAT) {
		compat = false;
		at = nr == FT_NR_EXECVEAT;
	} else if (nr == FT_NR_COMPAT_EXECVE || nr == FT_NR_COMPAT_EXECVEAT) {
		compat = true;
		at = nr == FT_NR_COMPAT_EXECVEAT;
	} else {
		return 0;
	}
	if (FT_IN_COMPAT_SYSCALL(task, regs) != compat)
		return 0; /* the same number is another syscall in the other ABI */
	pid = task->tgid;
	if (!is_traced(pid, task->group_leader->start_boottime))
		return 0;
	r = bpf_map_lookup_elem(&exec_scratch, &zero);
	if (!r)
		return 0;
	if (compat) {
		filename = at ? FT_COMPAT_ARG1(regs) : FT_COMPAT_ARG0(regs);
		argv = at ? FT_COMPAT_ARG2(regs) : FT_COMPAT_ARG1(regs);
	} else {
		filename = at ? FT_SYSCALL_ARG1(regs) : FT_SYSCALL_ARG0(regs);
		argv = at ? FT_SYSCALL_ARG2(regs) : FT_SYSCALL_ARG1(regs);
	}

	r->head.kind = FT_RECORD_EXEC_FAILED;
	r->start_ns = task->group_leader->start_boottime;
	r->cgroup_id = task_cgroup_id(task);
	r->pid = pid;
	r->tid = task->pid;
	r->ppid = task->real_parent->tgid;
	r->error = -ret;
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);

	n = filename_into(r->data, (const void *)filename, true);
	if (n < 0)
		flags |= FT_EXEC_FAILED_FILENAME_FAULT;
	if (n > FT_FILENAME_MAX)
		flags |= FT_EXEC_FAILED_FILENAME_CUT;
	len = n > FT_FILENAME_MAX ? FT_FILENAME_MAX : n > 0 ? n : 0;
	r->filename_len = len;
	off = len & FT_SCRATCH_OFF_MASK;

	walk = cwd_components(sizeof(*r) + off, task, true);
	if (walk & FT_PATH_CUT)
		flags |= FT_EXEC_FAILED_CWD_CUT;
	len = walk & (2 * FT_PATH_MAX - 1);
	r->cwd_len = len;
	off = (off + len) & FT_SCRATCH_OFF_MASK;

	walk = argv_strings(sizeof(*r) + off, argv, compat);
	if (walk & FT_ARGV_CUT)
		flags |= FT_EXEC_FAILED_ARGS_TRUNCATED;
	len = walk & (2 * FT_ARGS_MAX - 1);
	if (at)
		flags |= FT_EXEC_FAILED_EXECVEAT;
	r->args_len = len;
	r->flags = flags;

	size = sizeof(*r) + off + len;
	size = (size + 7) & ~7ULL;
	size &= FT_EXEC_SCRATCH - 1;
	r->head.size = size;
	r->head.ts_ns = bpf_ktime_get_boot_ns();
	if (bpf_ringbuf_output(&events, r, size, wakeup_flags()))
		count_lost(FT_RECORD_EXEC_FAILED);
	return 0;
}

/*
 * Every syscall's exit on the machine comes here, so the common case returns
 * at the first test: only a failed call goes on to the syscall number.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_exec, struct pt_regs *regs, long ret)
{
	if (ret >= 0)
		return 0;
	return record_exec_failure(regs, ret);
}

/*
 * The alternative (--exec-failures-hook tracepoint): the per-syscall
 * tracepoints through tracefs, which run only for execve and execveat. The
 * saved registers come from the task (bpf_task_pt_regs, 5.15). One program
 * serves both tracepoints (user space attaches it to each): the syscall's
 * number comes from the registers, and one program is verified once.
 */
SEC("tracepoint/syscalls/sys_exit_execve")
int sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret >= 0)
		return 0;
	return record_exec_failure((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()),
				   ctx->ret);
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

/*
 * A process's exit carries its resource usage (usage.bpf.h); a thread's does
 * not. with_mm: the kernel's tracepoint comes before exit_mm() (a constant,
 * so the other program has no mm reads to relocate or verify).
 */
static __always_inline int record_exit(struct task_struct *task, bool group_dead, bool with_mm)
{
	struct ft_exit_record *r;
	struct ft_kill *kill;
	__u32 tgid, size, zero = 0;
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
	/*
	 * Built in exit_scratch, so that read_usage (a loop over the threads)
	 * is on one path and verified once: in the two records with and
	 * without a kill, it was verified twice.
	 */
	r = bpf_map_lookup_elem(&exit_scratch, &zero);
	if (!r)
		return 0;
	fill_exit(r, task, FT_EXIT_GROUP_DEAD | FT_EXIT_USAGE, sizeof(*r), ts_ns);
	read_usage(task, &r->usage);
	if (with_mm)
		read_program_rss(task, &r->usage);
	/* A process that a signal is ending: its sender or reason rides along (signal.bpf.h). */
	tgid = task->tgid;
	size = sizeof(*r);
	kill = kill_of(tgid, task->group_leader->start_boottime);
	if (kill) {
		bpf_probe_read_kernel(r + 1, sizeof(*kill), kill);
		bpf_map_delete_elem(&kills, &tgid);
		r->flags |= FT_EXIT_KILL;
		size += sizeof(*kill);
		r->head.size = size;
	}
	if (bpf_ringbuf_output(&events, r, size, wakeup_flags()))
		count_lost(FT_RECORD_EXIT);
	if (track_reaps)
		note_zombie(task, ts_ns);
	return 0;
}

/*
 * Kernels whose tracepoint passes group_dead (do_exit()'s own
 * atomic_dec_and_test of signal->live): exact even when threads exit at once;
 * this tracepoint also comes before exit_mm(), so the mm can still be read.
 * User space loads this one or the next, whichever the kernel's BTF fits.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_proc_exit, struct task_struct *task, bool group_dead)
{
	return record_exit(untrusted(task), group_dead, true);
}

/*
 * Older kernels: do_exit() decrements signal->live before the tracepoint, so
 * zero means the last thread (unlike pid == tid, it holds when the leader
 * exits first). Two threads exiting at once can both read zero; user space
 * drops the second process exit.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_proc_exit_live_count, struct task_struct *trusted_task)
{
	struct task_struct *task = untrusted(trusted_task);

	return record_exit(task, task->signal->live.counter == 0, false);
}

/*
 * A process leaves the filter when its leader's task is freed: after every
 * thread's exit (the leader is released last), so none of them is dropped.
 * A leader replaced by exec (de_thread) took the exec'ing thread's tid and
 * fails the pid == tgid test. The start time keeps a reused pid's entry.
 */
SEC("tp_btf/sched_process_free")
int BPF_PROG(sched_proc_free, struct task_struct *trusted_task)
{
	struct task_struct *task = untrusted(trusted_task);
	__u32 pid = task->tgid;
	__u64 *start;

	if (!filter_by_pid || task->pid != pid)
		return 0;
	start = bpf_map_lookup_elem(&traced_pids, &pid);
	if (start && *start == task->start_boottime)
		bpf_map_delete_elem(&traced_pids, &pid);
	return 0;
}
