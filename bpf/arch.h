/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The only per-architecture facts the BPF programs use: the exec syscalls'
 * numbers and where the saved registers keep a syscall's number and
 * arguments. A port adds one block here (and a vendored vmlinux.h).
 */
#ifndef FORKTRACE_ARCH_H
#define FORKTRACE_ARCH_H

#if defined(__TARGET_ARCH_x86)
/* arch/x86/entry/syscalls/syscall_64.tbl and syscall_32.tbl */
#define FT_NR_EXECVE 59
#define FT_NR_EXECVEAT 322
#define FT_NR_COMPAT_EXECVE 11
#define FT_NR_COMPAT_EXECVEAT 358
#define FT_SYSCALL_NR(regs) ((long)(regs)->orig_ax)
#define FT_SYSCALL_ARG0(regs) ((regs)->di)
#define FT_SYSCALL_ARG1(regs) ((regs)->si)
#define FT_SYSCALL_ARG2(regs) ((regs)->dx)
/* An ia32 syscall passes its arguments in bx, cx, dx (entry_32.S). */
#define FT_COMPAT_ARG0(regs) ((regs)->bx)
#define FT_COMPAT_ARG1(regs) ((regs)->cx)
#define FT_COMPAT_ARG2(regs) ((regs)->dx)
/* TS_COMPAT in thread_info.status: the task is in an ia32 syscall. */
#define FT_IN_COMPAT_SYSCALL(task, regs) (((task)->thread_info.status & 0x0002) != 0)
#elif defined(__TARGET_ARCH_arm64)
/* include/uapi/asm-generic/unistd.h; an arm32 (compat) task's from
 * arch/arm64/include/asm/unistd32.h, where 221 and 281 are fcntl64 and socket. */
#define FT_NR_EXECVE 221
#define FT_NR_EXECVEAT 281
#define FT_NR_COMPAT_EXECVE 11
#define FT_NR_COMPAT_EXECVEAT 387
#define FT_SYSCALL_NR(regs) ((long)(regs)->syscallno)
/* x0 holds the return value at sys_exit; the first argument is in orig_x0. */
#define FT_SYSCALL_ARG0(regs) ((regs)->orig_x0)
#define FT_SYSCALL_ARG1(regs) ((regs)->regs[1])
#define FT_SYSCALL_ARG2(regs) ((regs)->regs[2])
/* A compat task's r0-r2 are x0-x2, r0 saved the same way. */
#define FT_COMPAT_ARG0(regs) ((regs)->orig_x0)
#define FT_COMPAT_ARG1(regs) ((regs)->regs[1])
#define FT_COMPAT_ARG2(regs) ((regs)->regs[2])
/* compat_user_mode(): the saved PSTATE says AArch32 (PSR_MODE32_BIT). */
#define FT_IN_COMPAT_SYSCALL(task, regs) (((regs)->pstate & 0x10) != 0)
#else
#error "forktrace: no syscall table for this architecture in bpf/arch.h"
#endif

#endif /* FORKTRACE_ARCH_H */
