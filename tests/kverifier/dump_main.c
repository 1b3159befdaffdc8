/*
 * dump_main.c - appended (by run.sh, at test time) to the first part of the
 * kernel's test_verifier.c from Debian's linux-source-6.1, whose tests[]
 * array it closes: prints every test as text for kv_run.  Nothing of the
 * kernel's sources is committed here; this file only reads struct bpf_test.
 *
 * Per test:
 *   test IDX PROG_TYPE RESULT FLAGS NRUNS
 *   descr TEXT | errstr TEXT | unsupported WHY | fixup KIND I I ... |
 *   run RETVAL  (one per test run; the 64 data bytes are not used yet) |
 *   insn CODE DST SRC OFF IMM ... | end
 * RESULT is the privileged one: accept or reject.
 */

static void dump_str(const char *key, const char *s)
{
	if (!s || !*s)
		return;
	printf("%s ", key);
	for (; *s; s++)
		putchar(*s == '\n' || *s == '\t' ? ' ' : *s);
	putchar('\n');
}

static void dump_fixup(const char *kind, const int *f)
{
	if (!f[0])
		return;
	printf("fixup %s", kind);
	for (int i = 0; i < MAX_FIXUPS && f[i]; i++)
		printf(" %d", f[i]);
	printf("\n");
}

int main(void)
{
	size_t n = sizeof(tests) / sizeof(tests[0]);
	for (size_t i = 0; i < n; i++) {
		struct bpf_test *t = &tests[i];
		struct bpf_insn *insns = t->insns;
		int len;
		if (t->fill_helper) {
			/* as test_verifier does before calling it */
			t->fill_insns = calloc(MAX_TEST_INSNS, sizeof(struct bpf_insn));
			t->fill_helper(t);
			insns = t->fill_insns;
			len = t->prog_len;
		} else {
			len = probe_filter_length(t->insns);
		}
		int runs = t->runs < 0 ? 0 : t->runs ? t->runs : 1;
		printf("test %zu %d %s %d %d\n", i, t->prog_type,
		       t->result == REJECT ? "reject" : "accept", t->flags, runs);
		dump_str("descr", t->descr);
		dump_str("errstr", t->errstr);
		if (t->kfunc || t->fixup_kfunc_btf_id[0].kfunc)
			printf("unsupported kfunc\n");
		if (t->func_info_cnt || t->btf_types[0])
			printf("unsupported BTF (func_info or types)\n");
		if (t->expected_attach_type)
			printf("unsupported expected_attach_type\n");
		if (t->expected_insns[0].code || t->unexpected_insns[0].code)
			printf("note checks the rewritten program\n");
#define F(k) dump_fixup(#k, t->fixup_##k);
		F(map_hash_8b)
		F(map_hash_48b) F(map_hash_16b) F(map_array_48b) F(map_sockmap) F(map_sockhash)
		    F(map_xskmap) F(map_stacktrace) F(prog1) F(prog2) F(map_in_map)
		        F(cgroup_storage) F(percpu_cgroup_storage) F(map_spin_lock) F(map_array_ro)
		            F(map_array_wo) F(map_array_small) F(sk_storage_map) F(map_event_output)
		                F(map_reuseport_array) F(map_ringbuf) F(map_timer) F(map_kptr)
#undef F
		                    for (int r = 0; r < runs; r++) printf(
		                        "run %u\n", t->runs ? t->retvals[r].retval : t->retval);
		for (int k = 0; k < len; k++)
			printf("insn %u %u %u %d %d\n", insns[k].code, insns[k].dst_reg,
			       insns[k].src_reg, insns[k].off, insns[k].imm);
		printf("end\n");
		free(t->fill_insns);
		t->fill_insns = NULL;
	}
	return 0;
}
