#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""VM tests of the vfio-user transport with the kvmgt-testdev device.

Test 1: vgpud serves a testdev; a guest boots under QEMU with
`-device vfio-user-pci` and memfd RAM; inside the guest a static helper
reads/writes BAR0 through sysfs resource0, binds the device to vfio-pci
(behind a virtual intel-iommu: the guest kernel lacks VFIO_NOIOMMU), has the
device DMA-copy pages of guest memory (checked in the guest) and waits for
the device's MSI (counted in /proc/interrupts).
Test 2: QEMU is killed mid-traffic; vgpud keeps the device; a new QEMU on
the same socket finds the device's sticky state and DMA works again.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))))
sys.path.insert(0, os.path.join(TOP, "validation"))
BUILD = os.environ.get("KVMGT_BUILD") or os.path.join(TOP, "build", "out")
VGPUD = os.path.join(BUILD, "host/qemu/vgpud/vgpud")
VGPUCTL = os.path.join(BUILD, "host/qemu/vgpud/vgpuctl")
HELPER = os.path.join(BUILD, "host/qemu/vgpud/guest/testdev-guest")
G = "/mnt/host/testdev-guest"

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
    return ok


def skip(why):
    print(why)
    sys.exit(77)


def ctl(sock, *args):
    r = subprocess.run([VGPUCTL, "-c", sock, "--json"] + list(args),
                       capture_output=True, text=True, timeout=30)
    if r.returncode:
        raise RuntimeError("vgpuctl %s: %s" % (" ".join(args), r.stderr.strip()))
    return json.loads(r.stdout)


def status(ctl_sock, name):
    return ctl(ctl_sock, "status", name)["status"]


def device_arg(sock):
    return json.dumps({"driver": "vfio-user-pci", "id": "td0",
                       "socket": {"type": "unix", "path": sock}})


# The guest kernel (Debian 6.12) has no CONFIG_VFIO_NOIOMMU, so the guest
# gets a virtual IOMMU and binds the device to vfio-pci the ordinary way
# (type1); QEMU then maps the IOVAs the guest chooses over vfio-user.
# iommu=pt keeps the other devices (virtio, no iommu_platform) identity
# mapped. (The helper also supports noiommu where the kernel has it.)
VIOMMU_ARGS = ["-device", "intel-iommu,caching-mode=on"]
# intremap=off: under a loaded TCG host the IO-APIC timer check through
# interrupt remapping can fail and panic the guest.
VIOMMU_KARGS = ("intel_iommu=on iommu=pt intremap=off "
                "vfio_iommu_type1.allow_unsafe_interrupts=1")


def new_guest(vmlib, name, sock, share):
    return vmlib.Guest(name=name, memfd=True, mem_mb=512, share_dir=share,
                       kernel_args=VIOMMU_KARGS,
                       qemu_args=VIOMMU_ARGS + ["-device", device_arg(sock)],
                       boot_timeout=240)


def bind_vfio(g):
    return g.run("(modprobe vfio enable_unsafe_noiommu_mode=1 || true) && modprobe vfio-pci && "
                 "echo 1b36 11f0 > /sys/bus/pci/drivers/vfio-pci/new_id && "
                 "sleep 1 && ls /dev/vfio && ls /sys/bus/pci/drivers/vfio-pci", timeout=120)


def main():
    for p in (VGPUD, VGPUCTL, HELPER):
        if not os.access(p, os.X_OK):
            skip("missing %s: run 'make qemu' first" % p)
    try:
        import vmlib
    except ImportError:
        skip("validation/vmlib.py not available")
    try:
        vmlib.provision()
    except Exception as e:  # noqa: BLE001 - any provisioning trouble is a skip
        skip("VM toolchain not provisioned: %s" % str(e).splitlines()[0])

    tmp = tempfile.mkdtemp(prefix="vm-testdev-")
    share = os.path.join(tmp, "share")
    os.mkdir(share)
    shutil.copy(HELPER, share)
    log = open(os.path.join(tmp, "vgpud.log"), "w")
    ctl_sock = os.path.join(tmp, "control.sock")
    d = subprocess.Popen([VGPUD, "-d", tmp, "-l", os.environ.get("VGPUD_LOG_LEVEL", "info"),
                          "-C", "kvmgt-testdev:td0", "-C", "kvmgt-testdev-mmap:td1"],
                         stderr=log)
    sock = os.path.join(tmp, "td0.sock")
    for _ in range(100):
        if os.path.exists(ctl_sock):
            break
        time.sleep(0.05)
    token = int.from_bytes(os.urandom(4), "little") | 1
    try:
        test1(vmlib, ctl_sock, sock, share, token)
        test2(vmlib, ctl_sock, sock, share, token)
        test3(vmlib, ctl_sock, os.path.join(tmp, "td1.sock"), share)
        test4(vmlib, ctl_sock, share, os.path.join(tmp, "vgpud.log"))
    finally:
        d.terminate()
        try:
            rc = d.wait(timeout=15)
        except subprocess.TimeoutExpired:
            d.kill()
            rc = -1
        tap(rc == 0, "vgpud exits 0 on SIGTERM")
        log.close()
        if failed:
            with open(os.path.join(tmp, "vgpud.log")) as f:
                print("# vgpud log (tail):")
                for line in f.read().splitlines()[-40:]:
                    print("#   " + line)
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


def find_bdf(g):
    rc, out = g.run(G + " find")
    bdf = out.strip().splitlines()[-1] if rc == 0 and out.strip() else ""
    return rc, out, bdf


def test1(vmlib, ctl_sock, sock, share, token):
    g = new_guest(vmlib, "vus-testdev1", sock, share)
    try:
        g.start()
    except vmlib.GuestError as e:
        tap(False, "guest boots with vfio-user-pci and memfd RAM", e)
        return
    try:
        tap(True, "guest boots with vfio-user-pci and memfd RAM")
        st = status(ctl_sock, "td0")
        tap(st["connected"] and st["dma_maps"] > 0 and st["dma_bytes"] >= 512 << 20,
            "QEMU connected and mapped guest RAM with fds", st)
        rc, out, bdf = find_bdf(g)
        if not tap(bool(bdf), "device enumerated in the guest (1b36:11f0)", out):
            return
        rc, out = g.run(G + " bartest " + bdf)
        tap(rc == 0 and "bartest ok" in out, "BAR0 read/write through sysfs resource0", out)
        res = "/sys/bus/pci/devices/%s/resource0" % bdf
        rc, out = g.run("%s mmio %s write 0x38 %d && %s mmio %s read 0x38" % (G, res, token, G, res))
        tap(rc == 0 and int(out.split()[-1], 16) == token, "sticky register written", out)
        rc, out = bind_vfio(g)
        if not tap(rc == 0 and bdf in out, "bound to vfio-pci (vIOMMU, type1)", out):
            return
        n_dma = 40
        rc, out = g.run("%s dma %s %d" % (G, bdf, n_dma), timeout=600)
        m = re.search(r"dma (\d+)/(\d+) ok, eventfd irqs (\d+), vfio-msi in /proc/interrupts (\d+)", out)
        tap(rc == 0 and m and int(m.group(1)) == n_dma,
            "device DMA copies verified in guest memory (%d x 4 KiB)" % n_dma, out)
        tap(m is not None and int(m.group(3)) >= n_dma and int(m.group(4)) >= n_dma,
            "device MSI received: eventfd and /proc/interrupts vfio-msi count", out)
        st = status(ctl_sock, "td0")
        tap(st["device"]["dma_count"] >= n_dma and st["irqs"] >= n_dma,
            "vgpud status counts the DMAs and interrupts", st)
        tap(st["bad_messages"] == 0, "every message QEMU sent was accepted", st)
    finally:
        g.poweroff()


def test2(vmlib, ctl_sock, sock, share, token):
    g = new_guest(vmlib, "vus-testdev2", sock, share)
    before = status(ctl_sock, "td0")
    try:
        g.start()
        rc, out, bdf = find_bdf(g)
        rc2, out2 = bind_vfio(g)
        ok = bool(bdf) and rc2 == 0
        if ok:
            g.run("(%s dma %s 0 > /tmp/dma.log 2>&1 &)" % (G, bdf))
            time.sleep(5)
            rc, out3 = g.run("cat /tmp/dma.log")
            ok = "progress" in out3
        tap(ok, "second guest runs DMA traffic in a loop", out + out2)
        mid = status(ctl_sock, "td0")
        g.kill()
    except vmlib.GuestError as e:
        tap(False, "second guest runs DMA traffic in a loop", e)
        g.kill()
        return
    t0 = time.time()
    st = mid
    while time.time() - t0 < 10:
        st = status(ctl_sock, "td0")
        if not st["connected"]:
            break
        time.sleep(0.1)
    tap(not st["connected"] and st["dma_maps"] == 0,
        "QEMU killed mid-traffic: vgpud drops the client and its maps", st)
    tap(mid["device"]["dma_count"] > before["device"]["dma_count"],
        "traffic was flowing when QEMU died", (before, mid))

    g = new_guest(vmlib, "vus-testdev3", sock, share)
    try:
        g.start()
    except vmlib.GuestError as e:
        tap(False, "new QEMU connects to the same device", e)
        return
    try:
        rc, out, bdf = find_bdf(g)
        res = "/sys/bus/pci/devices/%s/resource0" % bdf
        rc, out = g.run("%s mmio %s read 0x38" % (G, res))
        tap(rc == 0 and int(out.split()[-1], 16) == token,
            "new QEMU finds the device state (sticky register) kept", out)
        rc, out = bind_vfio(g)
        rc, out = g.run("%s dma %s 10" % (G, bdf), timeout=300)
        tap(rc == 0 and "dma 10/10 ok" in out, "DMA and MSI work after the reconnect", out)
        st = status(ctl_sock, "td0")
        tap(st["device"]["connects"] == 3 and st["connections"] == 3,
            "vgpud served three QEMU clients on one device", st)
    finally:
        g.poweroff()


def test3(vmlib, ctl_sock, sock, share):
    """A BAR shared through a region fd: QEMU mmaps the sparse half."""
    g = vmlib.Guest(name="vus-testdev-mmap", memfd=True, mem_mb=512, share_dir=share,
                    qemu_args=["-device", device_arg(sock)], boot_timeout=240)
    try:
        g.start()
    except vmlib.GuestError as e:
        tap(False, "guest boots with the mmap testdev", e)
        return
    try:
        rc, out, bdf = find_bdf(g)
        rc, out = g.run("%s bar2test %s" % (G, bdf), timeout=300)
        tap(rc == 0 and "bar2test ok" in out,
            "region fd: sparse-mmapped half shared without traps, other half trapped", out)
        st = status(ctl_sock, "td1")
        tap(st["bad_messages"] == 0, "mmap testdev: every message QEMU sent was accepted", st)
    finally:
        g.poweroff()


def test4(vmlib, ctl_sock, share, log_path):
    """Guest RAM that is not fd-backed (plain -m): vgpud refuses it with one
    clear line for the whole VM; QEMU carries on, registers still work."""
    sock = ctl(ctl_sock, "create", "kvmgt-testdev", "td2")["socket"]
    g = vmlib.Guest(name="vus-testdev-anon", memfd=False, mem_mb=512, share_dir=share,
                    qemu_args=["-device", device_arg(sock)], boot_timeout=240)
    try:
        g.start()
    except vmlib.GuestError as e:
        tap(False, "anonymous guest RAM: QEMU goes on after vgpud refuses its maps", e)
        return
    try:
        tap(True, "anonymous guest RAM: QEMU goes on after vgpud refuses its maps")
        st = status(ctl_sock, "td2")
        # Only ROM/VGA windows (well below 16 MiB) get in, and nothing with an fd.
        tap(st["connected"] and st["dma_bytes"] < (16 << 20), "no guest RAM mapped without an fd", st)
        rc, out, bdf = find_bdf(g)
        rc, out = g.run(G + " bartest " + bdf)
        tap(rc == 0 and "bartest ok" in out, "anonymous guest RAM: BAR access still works", out)
        with open(log_path) as f:
            text = f.read()
        lines = [x for x in text.splitlines() if "td2:" in x and "has no fd" in x]
        tap(len(lines) == 1 and "memory-backend-memfd" in lines[0] and log_level(lines[0]) == 3,
            "anonymous guest RAM: one error line for the VM says why", "\n".join(lines) or text[-3000:])
    finally:
        g.poweroff()


def log_level(line):
    m = re.match(r"<(\d)>", line)
    return int(m.group(1)) if m else -1


if __name__ == "__main__":
    sys.exit(main())
