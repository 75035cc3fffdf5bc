#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Test runner for `make test`. Arguments are KIND:PATH with KIND one of
#   unit  - a cmocka binary; run with TAP output, one result per test case
#   integ - an executable (script or binary) run from the repo root
#   vm    - like integ, but boots guests (the VM runner is in validation/)
# Every test may print TAP lines ("ok N - name", "not ok N - name",
# "ok N - name # SKIP reason"; cmocka writes "not ok N # SKIP name");
# each such line is one result. A test that
# prints none counts once by its exit status: 0 pass, 77 skip (its last
# output line is the reason), anything else fail. A test that printed TAP
# lines but exited non-zero without a "not ok" also counts one failure
# (a crash after its last case).
# The last line printed is "N passed, N failed" (", N skipped" when any).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logdir=${KVMGT_BUILD:-$top/build/out}/test-logs
mkdir -p "$logdir"
export CMOCKA_MESSAGE_OUTPUT=TAP

passed=0 failed=0 skipped=0
failures=() skips=()

run_one() {
	local kind=$1 path=$2 name log rc
	name=$(echo "$path" | sed 's|^build/[^/]*/||; s|/|_|g')
	log=$logdir/$name.log
	local t0=$SECONDS
	case $kind in
	unit) "$path" >"$log" 2>&1 </dev/null; rc=$? ;;
	integ|vm) "$path" >"$log" 2>&1 </dev/null; rc=$? ;;
	*) echo "run-tests: unknown kind '$kind' for $path" >&2; rc=1 ;;
	esac
	local p f s
	# cmocka prints a skipped case as "not ok N # SKIP name"
	s=$(grep -cE '^(not )?ok .*# ?SKIP' "$log")
	p=$(grep -E '^ok ' "$log" | grep -cvE '# ?SKIP')
	f=$(grep -E '^not ok ' "$log" | grep -cvE '# ?SKIP')
	if [ $((p + f + s)) -eq 0 ]; then
		case $rc in
		0) p=1 ;;
		77) s=1 ;;
		*) f=1 ;;
		esac
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	local status=PASS
	[ "$s" -gt 0 ] && status=SKIP
	[ "$f" -gt 0 ] && status=FAIL
	printf '%-4s %-5s %s (%d passed, %d failed, %d skipped, %ds)\n' \
		"$status" "$kind" "$path" "$p" "$f" "$s" $((SECONDS - t0))
	if [ "$f" -gt 0 ]; then
		failures+=("$path")
		grep -E '^not ok ' "$log" | grep -vE '# ?SKIP' | sed 's/^/      /'
		echo "      --- last lines of $log ---"
		tail -n 25 "$log" | sed 's/^/      /'
	fi
	if [ "$s" -gt 0 ]; then
		local why
		why=$(grep -E '^(not )?ok .*# ?SKIP' "$log" | sed 's/^/      /')
		[ -n "$why" ] || why="      $(tail -n 1 "$log")"
		echo "$why"
		skips+=("$path")
	fi
}

for arg in "$@"; do
	run_one "${arg%%:*}" "${arg#*:}"
done

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
