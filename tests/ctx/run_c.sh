#!/bin/bash
# run_c.sh BPF2NATIVE SRCDIR OBJDIR - the ctx pass on BPF C (ctx-c).
#  - ctx_good_{el,eb}.o and ldabs_{el,eb}.o compile (x86_64 / s390x), and
#    in --dump-bpf every program has exactly the expected number of
#    rewritten pointer loads (ldxdw at 24/32/40 for XDP, 192/200/208 for
#    __sk_buff) - the kernel's xlated view;
#  - every ctx_bad_N.o of bad_expected.txt is refused: exit 1, exactly one
#    line on stderr matching the regex, no output file.
set -u
b2n=$1 src=$2 obj=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
ko() { echo "FAIL: $*"; fail=$((fail + 1)); }

# program<TAB>rewritten pointer loads
expected_rewrites="xdp_parse 2
xdp_loop 2
xdp_spill 2
tc_rewrite 2
tc_subprog 2
sock_cb 0
xdp_devmap 2
ldabs_filter 0"
for e in el eb; do
	t=x86_64
	[ $e = eb ] && t=s390x
	for o in ctx_good ldabs; do
		if "$b2n" -target $t -o "$tmp/out.o" "$obj/${o}_$e.o" 2>"$tmp/err"; then ok; else
			ko "${o}_$e.o refused: $(cat "$tmp/err")"; continue; fi
		"$b2n" --dump-bpf "$obj/${o}_$e.o" >"$tmp/dump" || { ko "--dump-bpf ${o}_$e.o"; continue; }
		awk '/^# /{p=$4} /^ldxdw .*\+(24|32|40|192|200|208)\]$/{n[p]++} /^# /{if(!(p in n))n[p]=0}
		     END{for(k in n)print k, n[k]}' "$tmp/dump" | sort >"$tmp/got"
		while read -r prog want; do
			got=$(awk -v p="$prog" '$1==p{print $2}' "$tmp/got")
			[ -z "$got" ] && continue # not in this object
			if [ "$got" = "$want" ]; then ok; else
				ko "${o}_$e.o: program $prog has $got rewritten pointer loads, want $want"
				sed 's/^/    /' "$tmp/dump" | head -80
			fi
		done <<<"$expected_rewrites"
		# no packet-pointer word load may survive the rewrite
		if grep -Eq '^ldxw %r[0-9]+, \[%r[0-9]+\+(76|80|140)\]$' "$tmp/dump" &&
			[ $o = ctx_good ]; then
			ko "${o}_$e.o: a 4-byte data/data_end/data_meta load was not rewritten"
		fi
	done
done

while IFS=$'\t' read -r f re; do
	case "$f" in '#'* | '') continue ;; esac
	rm -f "$tmp/out.o"
	"$b2n" -o "$tmp/out.o" "$obj/$f" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	lines=$(wc -l <"$tmp/stderr")
	if [ $rc != 1 ]; then
		ko "$f: exit status $rc, expected 1"; cat "$tmp/stderr"
	elif [ "$lines" != 1 ]; then
		ko "$f: $lines lines on stderr, expected 1"; cat "$tmp/stderr"
	elif ! grep -Eq -- "$re" "$tmp/stderr"; then
		ko "$f: stderr does not match /$re/"; cat "$tmp/stderr"
	elif [ -s "$tmp/stdout" ] || [ -e "$tmp/out.o" ]; then
		ko "$f: output on stdout or an output file was written"
	else
		ok
	fi
done <"$src/bad_expected.txt"
echo "ctx-c: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
