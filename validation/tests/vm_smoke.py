#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM smoke test: the provisioned guest boots under the project's QEMU, the
agent runs commands and reports exit codes and output, the 9p share works,
two guests run at once in isolation, and QEMU is always reaped."""

import os
import shutil
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "validation"))
sys.dont_write_bytecode = True    # keep the source tree clean
import vmlib  # noqa: E402

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


def pid_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # still there: a zombie would mean nobody reaped it
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ")[1].startswith("X")
    except OSError:
        return True


def single_guest(share):
    token = os.urandom(8).hex()
    with open(os.path.join(share, "token"), "w") as f:
        f.write(token + "\n")
    g = vmlib.Guest(name="smoke", share_dir=share, boot_timeout=150)
    try:
        g.start()
    except vmlib.GuestError as e:
        tap(False, "guest boots and the agent answers", e)
        return
    tap(True, "guest boots and the agent answers (%.1fs, %s)"
        % (g.boot_seconds, "kvm" if vmlib.kvm_available() else "tcg"))
    try:
        rc, out = g.run("uname -r")
        tap(rc == 0 and out.strip().startswith("6.12.") and out.strip() == g.kernel_release,
            "uname -r reports the trixie 6.12 kernel (%s)" % out.strip(), out)

        rc, out = g.run("echo to-stdout; echo to-stderr >&2; exit 3")
        tap(rc == 3 and "to-stdout" in out and "to-stderr" in out,
            "exit code and stdout+stderr come back", "rc=%d out=%r" % (rc, out))

        rc, out = g.run("printf 'no newline'")
        tap(rc == 0 and out == "no newline", "output is returned byte-exact", repr(out))

        rc, out = g.run("modinfo -n i915 && modprobe i915 && lsmod | grep -c '^i915 '")
        lines = out.split()
        tap(rc == 0 and len(lines) == 2 and lines[0].startswith("/lib/modules/6.12")
            and lines[1] == "1", "the i915 module is present and loads", out)

        rc, out = g.run("modprobe vfio && modprobe vfio-pci && test -d /sys/bus/pci/drivers/vfio-pci"
                        " && echo vfio-ok")
        tap(rc == 0 and out.strip() == "vfio-ok", "vfio and vfio-pci load", out)

        rc, out = g.run("ls /usr/libexec/igt-gpu-tools/core_getversion && command -v modetest "
                        "&& lspci -n | head -n 3 && free -m && ps")
        tap(rc == 0, "IGT tests, modetest, lspci and busybox applets are installed", out)

        rc, out = g.run("modprobe vgem && vgem_basic --run-subtest create", timeout=120)
        tap(rc == 0 and "Subtest create: SUCCESS" in out, "an IGT test runs (vgem_basic create)", out)

        rc, out = g.run("cat /mnt/host/token")
        tap(rc == 0 and out.strip() == token, "9p share_dir: host file read in the guest", out)
        rc, out = g.run("touch /mnt/host/written-by-guest")
        tap(rc != 0 and not os.path.exists(os.path.join(share, "written-by-guest")),
            "9p share_dir is read-only", out)

        try:
            g.run("sleep 30", timeout=2)
            tap(False, "a command past its timeout raises CommandTimeout")
        except vmlib.CommandTimeout:
            rc, out = g.run("echo still-here")
            tap(rc == 0 and out.strip() == "still-here",
                "a command past its timeout raises CommandTimeout; the guest stays usable")

        log = g.dmesg()
        tap("Linux version 6.12" in log, "dmesg() returns the guest kernel log", log[-500:])
    except vmlib.GuestError as e:
        tap(False, "guest commands", e)
    pid = g.qemu_pid
    t0 = time.monotonic()
    status = g.poweroff(timeout=30)
    tap(status == 0 and pid_gone(pid), "poweroff() shuts down cleanly and reaps QEMU (%.1fs)"
        % (time.monotonic() - t0), "status=%s" % status)
    tap(os.path.getsize(g.log_path) > 0, "serial console log written", g.log_path)


def two_guests():
    a = vmlib.Guest(name="smoke-a", boot_timeout=150)
    # b also checks the vfio-pci path: emulated IOMMU + a QEMU test device at 00:05.0
    b = vmlib.Guest(name="smoke-b", boot_timeout=150, viommu=True,
                    qemu_args=["-device", "pci-testdev,addr=05.0"])
    t0 = time.monotonic()
    try:
        vmlib.start_all([a, b])
    except vmlib.GuestError as e:
        tap(False, "two guests boot at once", e)
        return
    tap(True, "two guests boot at once (%.1fs)" % (time.monotonic() - t0))
    try:
        ra, oa = a.run("hostname; echo private > /root/mark; cat /root/mark")
        rb, ob = b.run("hostname; cat /root/mark 2>/dev/null || echo absent")
        tap(ra == 0 and rb == 0 and oa.split() == ["smoke-a", "private"]
            and ob.split() == ["smoke-b", "absent"],
            "each guest answers for itself; root-disk writes stay private",
            "a=%r b=%r" % (oa, ob))
    except vmlib.GuestError as e:
        tap(False, "commands in two guests", e)
    try:
        node = b.bind_vfio("0000:00:05.0")
        rc, out = b.run("readlink /sys/bus/pci/devices/0000:00:05.0/driver")
        tap(node.startswith("/dev/vfio/") and out.strip().endswith("/vfio-pci"),
            "bind_vfio(): test device bound to vfio-pci under the emulated IOMMU (%s)" % node, out)
    except vmlib.GuestError as e:
        tap(False, "bind_vfio(): test device bound to vfio-pci under the emulated IOMMU", e)
    pa, pb = a.qemu_pid, b.qemu_pid
    b.kill()
    tap(pid_gone(pb) and a.alive(), "kill() reaps one guest, the other keeps running")
    log = b.dmesg()
    tap("kvmgt-init: agent on" in log, "dmesg() of a killed guest falls back to its console log",
        log[-500:])
    try:
        rc, out = a.run("echo alive")
        tap(rc == 0 and out.strip() == "alive", "surviving guest still answers")
    except vmlib.GuestError as e:
        tap(False, "surviving guest still answers", e)
    a.poweroff()
    tap(pid_gone(pa), "poweroff() reaps the second guest")


def lifetime_limit():
    g = vmlib.Guest(name="smoke-life", lifetime=25, boot_timeout=150)
    try:
        g.start()
        g.run("sleep 60", timeout=90)
        tap(False, "lifetime: a guest past its lifetime is killed and reported")
    except vmlib.GuestError as e:
        tap("lifetime of 25s used up" in str(e) and not g.alive() and pid_gone(g.qemu_pid),
            "lifetime: a guest past its lifetime is killed and reported", e)
    finally:
        g.kill()


def main():
    share = os.path.join(vmlib.BUILD, "vm", "smoke-share-%d" % os.getpid())
    os.makedirs(share, exist_ok=True)
    try:
        vmlib.provision(quiet=False)
    except vmlib.GuestError as e:
        print("1..1")
        tap(False, "VM toolchain provisioned", e)
        return 1
    try:
        single_guest(share)
    finally:
        shutil.rmtree(share, ignore_errors=True)
    two_guests()
    lifetime_limit()
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
