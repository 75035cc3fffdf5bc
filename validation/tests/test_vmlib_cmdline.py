#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Integration test (no guest booted): the QEMU command lines vmlib builds, and
the argument checks of vmlib.Guest and vmrun.py."""

import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TOP, "validation"))
import vmlib  # noqa: E402

n = 0
failed = 0


def tap(ok, name, detail=""):
    global n, failed
    n += 1
    failed += not ok
    print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    if detail and not ok:
        print("#   " + str(detail).replace("\n", "\n#   "))


def opt(argv, flag):
    """Values following every occurrence of flag."""
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == flag]


def cmdline(g):
    g._abstract = "kvmgt-test"
    return g.command_line()


def main():
    a = cmdline(vmlib.Guest(name="t1"))
    devs = opt(a, "-device")
    tap("-nodefaults" in a and opt(a, "-machine") == ["q35"] and opt(a, "-m") == ["1024M"],
        "default guest: q35, -nodefaults, 1024M", a)
    tap(opt(a, "-accel") == (["kvm"] if vmlib.kvm_available() else ["tcg"]),
        "accelerator follows the KVM probe", opt(a, "-accel"))
    saved = os.environ.get("KVMGT_ACCEL")
    try:
        os.environ["KVMGT_ACCEL"] = "tcg"
        t = opt(cmdline(vmlib.Guest(name="t1")), "-accel")
        os.environ["KVMGT_ACCEL"] = "kvm"
        k = opt(cmdline(vmlib.Guest(name="t1")), "-accel")
        tap(t == ["tcg"] and k == ["kvm"], "KVMGT_ACCEL=tcg/kvm forces the accelerator", (t, k))
        os.environ["KVMGT_ACCEL"] = "hvf"
        try:
            cmdline(vmlib.Guest(name="t1"))
            tap(False, "KVMGT_ACCEL=hvf is refused", "accepted")
        except vmlib.GuestError as e:
            tap("KVMGT_ACCEL must be auto, kvm or tcg" in str(e), "KVMGT_ACCEL=hvf is refused", e)
    finally:
        if saved is None:
            os.environ.pop("KVMGT_ACCEL", None)
        else:
            os.environ["KVMGT_ACCEL"] = saved
    tap(all(",addr=1" in d for d in devs if d.startswith(("virtio-blk", "virtio-serial"))) and
        not any("addr=02" in d or "addr=2." in d for d in devs),
        "runner devices stay off 00:02.0", devs)
    tap(any(d.startswith("virtserialport,") and "name=org.kvmgt.agent" in d for d in devs) and
        any("abstract=on" in c and "kvmgt-test" in c for c in opt(a, "-chardev")),
        "agent port is a virtserialport on an abstract socket", opt(a, "-chardev"))
    app = opt(a, "-append")[0]
    tap("console=ttyS0" in app and "kvmgt.name=t1" in app and "kvmgt.share" not in app and
        "intel_iommu" not in app, "kernel command line", app)
    drv = opt(a, "-drive")[0]
    tap("snapshot=on" in drv and drv.startswith("file=" + vmlib.GUEST_DIR),
        "root disk opened with snapshot=on", drv)

    share = tempfile.mkdtemp(prefix="vmlib-share,", dir=os.path.join(TOP, "build"))
    try:
        b = cmdline(vmlib.Guest(name="t2", mem_mb=512, smp=2, memfd=True, share_dir=share,
                                kernel_args="foo=1", viommu=True,
                                qemu_args=["-device", "pci-testdev"]))
    finally:
        os.rmdir(share)
    tap(opt(b, "-machine") == ["q35,memory-backend=kvmgt-ram"] and
        "memory-backend-memfd,id=kvmgt-ram,size=512M,share=on" in opt(b, "-object"),
        "memfd=True: RAM is a shared memfd backend", b)
    fs = opt(b, "-fsdev")
    tap(len(fs) == 1 and "readonly=on" in fs[0] and share.replace(",", ",,") in fs[0] and
        "kvmgt.share=1" in opt(b, "-append")[0],
        "share_dir: read-only 9p export, commas escaped", fs)
    tap("intel-iommu" in opt(b, "-device") and
        opt(b, "-device").index("intel-iommu") < opt(b, "-device").index("pci-testdev") and
        "intel_iommu=on" in opt(b, "-append")[0],
        "viommu=True: intel-iommu before the test's devices, intel_iommu=on", b)
    tap(b[-2:] == ["-device", "pci-testdev"] and opt(b, "-append")[0].endswith(" foo=1") and
        opt(b, "-smp") == ["2"] and ((["kvm"] if vmlib.kvm_available() else
                                      ["tcg,thread=multi"]) == opt(b, "-accel")),
        "qemu_args last, kernel_args appended, smp 2 uses multi-threaded TCG", b)

    bad = []
    for kw in ({"name": "a b"}, {"name": ""}, {"name": "x/y"},
               {"share_dir": "/nonexistent/kvmgt"}):
        try:
            vmlib.Guest(**kw)
            bad.append(kw)
        except ValueError:
            pass
    tap(not bad, "bad Guest arguments raise ValueError", bad)

    g = vmlib.Guest(name="t3")
    try:
        g.run("true")
        tap(False, "run() on a guest that was never started raises GuestError")
    except vmlib.GuestError:
        tap(g.poweroff() is None, "run() on a guest that was never started raises GuestError")

    r = subprocess.run([sys.executable, os.path.join(TOP, "validation", "vmrun.py"),
                        "--mem", "1", "--", "true"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    tap(r.returncode == 2 and "--mem" in r.stdout, "vmrun.py: bad --mem is a usage error",
        r.stdout)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
