#!/bin/bash
# run_asm.sh BPF2NATIVE ASM_DIR - the ctx rules through the driver.
#
# Every asm/*.asm starts with "# type: T" (--prog-type T) and
# "# expect: ok" or "# expect: REGEX", and may list "# dump: LINE" lines.
#   ok:    bpf2native compiles it (exit 0, an object written), and every
#          dump line appears verbatim in --dump-bpf (the rewritten program);
#   REGEX: exit status 1, exactly one line on stderr that matches REGEX and
#          names the instruction (insn N `...`), nothing on stdout, and no
#          output file.
set -u
b2n=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for f in "$dir"/*.asm; do
	name=$(basename "$f" .asm)
	type=$(sed -n 's/^# type: //p' "$f")
	expect=$(sed -n 's/^# expect: //p' "$f")
	rm -f "$tmp/out.o"
	"$b2n" --prog-type "$type" -o "$tmp/out.o" "$f" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	if [ "$expect" = ok ]; then
		if [ $rc != 0 ] || [ ! -s "$tmp/out.o" ]; then
			echo "FAIL $name: refused (exit $rc):"; cat "$tmp/stderr"; fail=$((fail + 1)); continue
		fi
		"$b2n" --prog-type "$type" --dump-bpf "$f" >"$tmp/dump" 2>&1
		bad=0
		while IFS= read -r line; do
			if ! grep -qxF -- "$line" "$tmp/dump"; then
				echo "FAIL $name: --dump-bpf lacks '$line':"; sed 's/^/    /' "$tmp/dump"
				bad=1
			fi
		done < <(sed -n 's/^# dump: //p' "$f")
		if [ $bad = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
		continue
	fi
	lines=$(wc -l <"$tmp/stderr")
	if [ $rc != 1 ]; then
		echo "FAIL $name: exit status $rc, expected 1"; cat "$tmp/stderr"; fail=$((fail + 1))
	elif [ "$lines" != 1 ]; then
		echo "FAIL $name: $lines lines on stderr, expected 1:"; cat "$tmp/stderr"; fail=$((fail + 1))
	elif ! grep -Eq -- "$expect" "$tmp/stderr" || ! grep -Eq 'insn [0-9]+ `' "$tmp/stderr"; then
		echo "FAIL $name: stderr does not match /$expect/ (with the insn):"; cat "$tmp/stderr"
		fail=$((fail + 1))
	elif [ -s "$tmp/stdout" ] || [ -e "$tmp/out.o" ]; then
		echo "FAIL $name: output on stdout or an output file was written"; fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "ctx-asm: $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
