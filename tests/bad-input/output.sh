# output.sh - sourced by run.sh for its "output" part (in its temporary
# directory, with b2n, pass, fail and check() set): where bpf2native writes.
#   - a new or existing regular file: written atomically (a new inode
#     renamed into place), mode 0644; on error the old file is untouched and
#     no temporary file is left;
#   - a symlink: the file it names is replaced, the link stays;
#   - a character device (made here with mknod, never /dev/null itself) and
#     a FIFO: written in place, never replaced;
#   - "-o -": standard output, for objects, assembly, IR and --emit-raw.
# Needs root for mknod; exits 77 with the reason otherwise.

ok() {
	echo "PASS $1"
	pass=$((pass + 1))
}
bad() {
	echo "FAIL $1"
	fail=$((fail + 1))
}
printf 'mov %%r0, 0\nexit\n' >good.s
printf 'mov %%r0, 0\nmov %%r11, 1\nexit\n' >bad.s
"$b2n" good.s -o ref.o && "$b2n" -S good.s -o ref.s && "$b2n" -emit-llvm good.s -o ref.ll &&
	"$b2n" --emit-raw good.s -o ref.bin || { echo "FAIL: the reference outputs"; exit 1; }
if ! mknod nulldev c 1 3 2>mknod.err || ! mknod fulldev c 1 7 2>>mknod.err; then
	echo "SKIP: cannot make device nodes here ($(head -1 mknod.err)); needs root"
	exit 77
fi

# regular files
"$b2n" good.s -o new.o && cmp -s new.o ref.o && [ "$(stat -c %a new.o)" = 644 ] &&
	ok "new regular file" || bad "new regular file"
echo old >exist.o
ino=$(stat -c %i exist.o)
"$b2n" good.s -o exist.o && cmp -s exist.o ref.o && [ "$(stat -c %i exist.o)" != "$ino" ] &&
	ok "existing regular file replaced atomically (new inode)" ||
	bad "existing regular file replaced atomically"
echo keep >keep.o
"$b2n" bad.s -o keep.o 2>/dev/null
[ $? -eq 1 ] && [ "$(cat keep.o)" = keep ] && [ -z "$(ls | grep '\.tmp')" ] &&
	ok "an error leaves the existing file and no temporary file" ||
	bad "an error leaves the existing file and no temporary file"
echo target >target.o
ln -s target.o link.o
"$b2n" good.s -o link.o && [ -L link.o ] && cmp -s target.o ref.o &&
	ok "symlink: the file it names is replaced, the link stays" || bad "symlink"

# devices and FIFOs: written in place
for args in "good.s" "-S good.s" "-emit-llvm good.s" "--emit-raw good.s"; do
	# shellcheck disable=SC2086
	"$b2n" $args -o nulldev && [ -c nulldev ] &&
		ok "character device (null), $args: written in place" ||
		bad "character device (null), $args: replaced or failed"
done
"$b2n" good.s -o fulldev 2>full.err
rc=$?
[ $rc -eq 1 ] && [ -c fulldev ] && [ "$(wc -l <full.err)" -eq 1 ] &&
	grep -q '^fulldev: error: .*No space left' full.err &&
	ok "character device (full): one error line, device kept: $(cat full.err)" ||
	bad "character device (full): rc $rc, $(cat full.err)"
mkfifo fifo
cat fifo >fifo.got &
reader=$!
"$b2n" good.s -o fifo
rc=$?
wait $reader
[ $rc -eq 0 ] && [ -p fifo ] && cmp -s fifo.got ref.o && ok "FIFO: the object arrives through it" ||
	bad "FIFO (rc $rc)"

# standard output
"$b2n" good.s -o - >stdout.o && cmp -s stdout.o ref.o && ok "-o -: object on stdout" ||
	bad "-o -: object"
"$b2n" -S good.s -o - >stdout.s && cmp -s stdout.s ref.s && ok "-o -: assembly on stdout" ||
	bad "-o -: assembly"
"$b2n" -emit-llvm good.s -o - >stdout.ll && cmp -s stdout.ll ref.ll && ok "-o -: IR on stdout" ||
	bad "-o -: IR"
"$b2n" --emit-raw good.s -o - >stdout.bin && cmp -s stdout.bin ref.bin &&
	ok "-o -: --emit-raw on stdout" || bad "-o -: --emit-raw"
