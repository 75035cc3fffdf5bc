#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# vgpud + vgpuctl end to end, no VM: control API, bad input, device
# sockets speaking vfio-user, state across reconnects, a bad client not
# hurting the others, SIGTERM.
set -u
B=${KVMGT_BUILD:-build/out}
VGPUD=$B/host/qemu/vgpud/vgpud
CTL=$B/host/qemu/vgpud/vgpuctl
PROBE=$B/host/qemu/vfio-user/tests/vus-probe
D=$(mktemp -d /tmp/vgpud-test.XXXXXX)
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name"; fi; }
cleanup() { [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT

$VGPUD -d "$D" -l debug 2>"$D/log" &
pid=$!
for _ in $(seq 50); do [ -S "$D/control.sock" ] && break; sleep 0.1; done
c() { $CTL -c "$D/control.sock" "$@"; }

check "help texts" bash -c "$VGPUD --help | grep -q SYNOPSIS && $CTL --help | grep -q COMMANDS"
check "bad daemon option exits 2" bash -c "$VGPUD --log-level loud 2>/dev/null; [ \$? -eq 2 ]"
check "GPU work runs by default" grep -q "guest GPU work runs" "$D/log"
check "--no-exec: submissions not run, SIGTERM exits 0" bash -c "
	d2=\$(mktemp -d /tmp/vgpud-test.XXXXXX); $VGPUD -d \$d2 --no-exec 2>\$d2/log & p=\$!
	for _ in \$(seq 50); do [ -S \$d2/control.sock ] && break; sleep 0.1; done
	kill \$p; wait \$p; rc=\$?
	grep -q 'is not run (--no-exec)' \$d2/log && [ \$rc -eq 0 ]; r=\$?; rm -rf \$d2; exit \$r"
check "types lists kvmgt-testdev" bash -c "$CTL -c $D/control.sock types | grep -q '\"name\":\"kvmgt-testdev\"'"
sa=$(c create kvmgt-testdev vm-a)
sb=$(c create kvmgt-testdev vm-b)
check "create returns socket paths" test "$sa" = "$D/vm-a.sock" -a -S "$sa" -a -S "$sb"
check "device answers vfio-user" test "$($PROBE "$sa" read32 0 0)" = 0x4b565444
$PROBE "$sa" write32 0 4 0x5eed >/dev/null
check "state kept across client reconnects" test "$($PROBE "$sa" read32 0 4)" = 0x00005eed

before=$(c list)
check "duplicate name refused" bash -c "! $CTL -c $D/control.sock create kvmgt-testdev vm-a 2>$D/err && grep -q 'already exists' $D/err"
check "bad name refused" bash -c "! $CTL -c $D/control.sock create kvmgt-testdev ../etc 2>$D/err && grep -q 'invalid name' $D/err"
check "unknown type refused" bash -c "! $CTL -c $D/control.sock create no-such-type x 2>$D/err && grep -q 'unknown type' $D/err"
check "destroy unknown refused" bash -c "! $CTL -c $D/control.sock destroy nope 2>/dev/null"
check "bad CLI usage exits 2" bash -c "$CTL -c $D/control.sock create onlyone 2>/dev/null; [ \$? -eq 2 ]"
check "non-JSON request gets one error" bash -c "echo 'hello' | socat -t2 - UNIX-CONNECT:$D/control.sock | grep -q '\"ok\":false'"
check "request without cmd" bash -c "echo '{\"name\":1}' | socat -t2 - UNIX-CONNECT:$D/control.sock | grep -q 'needs a string member'"
check "bad input changed nothing" test "$(c list)" = "$before"

# A hostile client on vm-a: garbage, then a header claiming 64 MiB.
printf 'garbage-garbage-garbage!' | socat -t1 - UNIX-CONNECT:"$sa" >/dev/null 2>&1
printf '\x01\x00\x01\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00' | socat -t1 - UNIX-CONNECT:"$sa" >/dev/null 2>&1
check "daemon survives garbage" kill -0 $pid
check "other device still serves" test "$($PROBE "$sb" read32 0 0)" = 0x4b565444
check "garbage-hit device serves again, state kept" test "$($PROBE "$sa" read32 0 4)" = 0x00005eed
check "status counts bad messages" bash -c "$CTL -c $D/control.sock status vm-a | grep -q '\"bad_messages\":[1-9]'"
check "status shows device state" bash -c "$CTL -c $D/control.sock status vm-a | grep -q '\"scratch\":24301'"
c destroy vm-a
check "destroy removes the socket" test ! -e "$sa"
check "list after destroy" bash -c "$CTL -c $D/control.sock list | grep -q vm-b && ! $CTL -c $D/control.sock list | grep -q vm-a"

kill -TERM $pid
rc=0
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
wait $pid; rc=$?
pid=
check "SIGTERM exits 0" test $rc -eq 0
check "SIGTERM removes sockets" test ! -e "$sb" -a ! -e "$D/control.sock"
check "journal-style leveled log" grep -q '^<6>vgpud: stopped' "$D/log"
echo "1..$n"
if [ $fails -ne 0 ]; then
	echo "# vgpud log:"
	sed 's/^/#   /' "$D/log" | tail -n 60
fi
[ $fails -eq 0 ]
