#!/bin/bash
# run_reject.sh MODE BAD_DIR EXPECTED TOOL [OBJ_DIR]
# Every line "FILE<TAB>REGEX" of EXPECTED names an invalid program (FILE in
# BAD_DIR, or a compiled object "obj:NAME" in OBJ_DIR) and the extended
# regex its one diagnostic line must match.
#   MODE=host:   TOOL is verify_test (frontend + b2n_prog__verify directly)
#   MODE=driver: TOOL is the bpf2native compiler: exit status 1, exactly one
#                line on stderr matching REGEX, nothing on stdout, and no
#                output file.  If the driver compiles the first case (which
#                the verifier refuses), it does not run the verifier yet:
#                that is reported and the test is skipped (exit 77).
set -u
mode=$1 bad=$2 expected=$3 tool=$4 objdir=${5:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 first=1
while IFS=$'\t' read -r f re; do
	case "$f" in '#'* | '') continue ;; esac
	case "$f" in
	obj:*) path=$objdir/${f#obj:} ;;
	*) path=$bad/$f ;;
	esac
	if [ "$mode" = host ]; then
		if out=$("$tool" reject "$path" "$re"); then
			pass=$((pass + 1))
		else
			echo "$out"
			fail=$((fail + 1))
		fi
		continue
	fi
	if grep -q "map_idx 0" "$path" 2>/dev/null; then
		# the tests give .asm files a prog_array (vt_open.h); the driver
		# cannot: these are checked by the host and kernel tests only
		echo "not through the driver: $f references the test's prog_array"
		continue
	fi
	rm -f "$tmp/out.o"
	"$tool" -o "$tmp/out.o" "$path" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	if [ $first = 1 ] && [ $rc = 0 ]; then
		echo "SKIP: bpf2native compiled $f, which the verifier refuses: the driver does not" \
			"run b2n_prog__verify yet"
		exit 77
	fi
	first=0
	lines=$(wc -l <"$tmp/stderr")
	if [ $rc != 1 ]; then
		echo "FAIL $f: exit status $rc, expected 1"; cat "$tmp/stderr"; fail=$((fail + 1))
	elif [ "$lines" != 1 ]; then
		echo "FAIL $f: $lines lines on stderr, expected 1:"; cat "$tmp/stderr"; fail=$((fail + 1))
	elif ! grep -Eq -- "$re" "$tmp/stderr"; then
		echo "FAIL $f: stderr does not match /$re/:"; cat "$tmp/stderr"; fail=$((fail + 1))
	elif [ -s "$tmp/stdout" ] || [ -e "$tmp/out.o" ]; then
		echo "FAIL $f: output on stdout or an output file was written"; fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done <"$expected"
echo "verify-reject ($mode): $pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]
