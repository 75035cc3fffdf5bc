#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM test of the vmrun.py CLI: per-command TAP and exit status, usage errors,
a guest whose RAM is a shared memfd (what vfio-user needs), and the qemu wrapper."""

import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VMRUN = [sys.executable, os.path.join(TOP, "validation", "vmrun.py")]
QEMU = os.path.join(TOP, "validation", "env", "qemu")
n = 0
failed = 0


def tap(ok, name, detail=""):
    global n, failed
    n += 1
    failed += not ok
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if detail and not ok:
        for line in str(detail).splitlines()[-30:]:
            print("#   " + line)
    sys.stdout.flush()


def vmrun(*args):
    r = subprocess.run(VMRUN + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, cwd=TOP, timeout=400)
    return r.returncode, r.stdout


def main():
    r = subprocess.run(["bash", os.path.join(TOP, "validation", "env", "provision.sh"), "--quiet"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        tap(False, "VM toolchain provisioned", r.stdout)
        print("1..%d" % n)
        return 1

    r = subprocess.run([QEMU, "-device", "help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    v = subprocess.run([QEMU, "--version"], stdout=subprocess.PIPE, text=True).stdout
    m = re.search(r"version (\d+)\.(\d+)", v)
    tap(r.returncode == 0 and '"vfio-user-pci"' in r.stdout and m is not None
        and (int(m.group(1)), int(m.group(2))) >= (10, 1),
        "validation/env/qemu is QEMU >= 10.1 with vfio-user-pci (%s)" % v.split("\n")[0], v)

    rc, out = vmrun("--name", "cli", "--memfd", "--",
                    "echo hello", "false", "grep -c memfd /proc/cmdline; exit 4",
                    "cat /proc/meminfo | grep -c MemTotal")
    lines = [l for l in out.splitlines() if re.match(r"^(not )?ok \d", l)]
    tap(rc == 1, "a failing command makes vmrun exit 1", out)
    tap(len(lines) == 4 and lines[0].startswith("ok 1 - echo hello")
        and lines[1].startswith("not ok 2 - false") and "# exit 1" in lines[1]
        and lines[2].startswith("not ok 3") and "# exit 4" in lines[2]
        and lines[3].startswith("ok 4"),
        "vmrun prints one TAP line per command with its exit code", out)
    tap("\n  hello\n" in out, "command output is printed under its TAP line", out)
    tap("booted kernel 6.12." in out, "a guest with memfd-backed RAM boots", out)

    rc, out = vmrun("--share", "/nonexistent/dir", "--", "true")
    tap(rc == 2 and "not a directory" in out, "bad --share is a usage error (exit 2)", out)

    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
