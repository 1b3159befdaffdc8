/*
 * vt_open.h - how the stack-depth tests open an input (shared by
 * verify_test.c and kernel_oracle.c).
 *
 * ELF objects go through b2n_input__open (which checks and verifies).
 * Assembly files (.asm) are parsed with b2n_asm__parse and given one map,
 * a 4-slot prog_array named "jt", so that `lddw %r2, map_idx 0` before a
 * `call 12` makes a tail call the kernel also accepts (the kernel oracle
 * loads the same instructions with a real prog_array in that slot); they
 * are then checked and verified like b2n_input__open does.  The caller's
 * allow_uninit applies to that verification; ELF inputs are opened with
 * allow_uninit set so that the caller's own b2n_prog__verify decides.
 */
#ifndef VT_OPEN_H
#define VT_OPEN_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"

static int vt_is_asm(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && !strcmp(path + n - 4, ".asm");
}

static int vt_open(const char *path, int allow_uninit, struct b2n_input **out)
{
	*out = NULL;
	if (!vt_is_asm(path)) {
		struct b2n_open_opts oo = {.sz = sizeof(oo), .allow_uninit = 1};
		return b2n_input__open(path, &oo, out);
	}
	unsigned char *buf;
	size_t len, n;
	struct b2n_insn *insns;
	int err = b2n_read_file(path, &buf, &len);
	if (err)
		return err;
	err = b2n_asm__parse(path, (const char *)buf, &insns, &n);
	free(buf);
	if (err)
		return err;
	struct b2n_input *obj = b2n_xcalloc(1, sizeof(*obj));
	obj->path = b2n_strdup(path);
	obj->name = b2n_strdup("vt");
	obj->kind = B2N_IN_ASM;
	obj->big_endian = -1;
	obj->maps = b2n_xcalloc(1, sizeof(*obj->maps));
	obj->nmaps = 1;
	obj->maps[0].name = b2n_strdup("jt");
	obj->maps[0].type = 3; /* BPF_MAP_TYPE_PROG_ARRAY */
	obj->maps[0].key_size = 4;
	obj->maps[0].value_size = 4;
	obj->maps[0].max_entries = 4;
	obj->maps[0].inner_map = -1;
	obj->maps[0].spin_lock_off = -1;
	obj->progs = b2n_xcalloc(1, sizeof(*obj->progs));
	obj->nprogs = 1;
	obj->progs[0].name = b2n_strdup("prog");
	obj->progs[0].symbol = b2n_strdup("b2n_vt__prog");
	obj->progs[0].insns = insns;
	obj->progs[0].ninsns = n;
	struct b2n_verify_opts vo = {.sz = sizeof(vo), .allow_uninit = allow_uninit};
	err = b2n_prog__check(obj, &obj->progs[0]);
	if (!err)
		err = b2n_prog__verify(obj, &obj->progs[0], &vo);
	if (err) {
		b2n_input__free(obj);
		return err;
	}
	*out = obj;
	return 0;
}

#endif
