/*
 * helpers_misc.c - process information: bpf_get_current_pid_tgid,
 * bpf_get_current_uid_gid and bpf_get_current_comm.
 *
 * "current" is the calling thread, as for a kernel program running in a
 * task's context: tgid is the process id, pid the thread id (gettid), and
 * the result is (tgid << 32) | pid.  uid_gid is (gid << 32) | uid with the
 * real ids of the process as this process sees them (the kernel reports
 * them in the initial user namespace; inside a user namespace they can
 * differ).  They are not cached: a cached value would go stale after fork.
 *
 * get_current_comm copies the thread's name (prctl PR_GET_NAME, the
 * kernel's task->comm, at most 15 characters) with the kernel's strscpy_pad
 * semantics: truncated to size - 1 characters, NUL-terminated, the rest of
 * the buffer zeroed; returns 0.  The verifier guarantees size > 0; size 0
 * writes nothing and returns 0.  When the name cannot be read the buffer is
 * zeroed and -EINVAL returned (the kernel's answer without a current task).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime_internal.h"

uint64_t b2n_h_get_current_pid_tgid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t tgid = (uint32_t)getpid();
	uint64_t tid = (uint32_t)syscall(SYS_gettid);
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return tgid << 32 | tid;
}

uint64_t b2n_h_get_current_uid_gid(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	uint64_t uid = (uint32_t)getuid();
	uint64_t gid = (uint32_t)getgid();
	(void)r1, (void)r2, (void)r3, (void)r4, (void)r5;
	return gid << 32 | uid;
}

uint64_t b2n_h_get_current_comm(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	char *buf = (char *)(uintptr_t)r1;
	uint32_t size = (uint32_t)r2;
	char comm[17];
	size_t n;
	(void)r3, (void)r4, (void)r5;
	if (size == 0)
		return 0;
	memset(comm, 0, sizeof(comm));
	if (prctl(PR_GET_NAME, comm, 0, 0, 0) != 0) {
		memset(buf, 0, size);
		return (uint64_t)(int64_t)-EINVAL;
	}
	n = strnlen(comm, 16);
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, comm, n);
	memset(buf + n, 0, size - n);
	return 0;
}
