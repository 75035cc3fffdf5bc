#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""MMIO round-trip latency through QEMU + vfio-user + vgpud, measured in a
guest, beside an MMIO access to one of QEMU's own emulated devices (edu) in
the same guest run, and beside the IPC floors of this machine (measured by
bench_vus_rtt in the same run). Usage: bench_mmio.py --out FILE.json

Figures (ns per 32-bit access, from a tight loop in the guest over an mmap
of the sysfs resource file; best of three):
  vfio_user_read_ns    read of the testdev scratch register (a socket round
                       trip QEMU -> vgpud protocol thread -> reply)
  vfio_user_write_ns   write of the same register (posted: NO_REPLY)
  emulated_read_ns     read of QEMU's edu device (baseline: no socket)
  emulated_write_ns    write of the same
  read_ratio, write_ratio   vfio-user / emulated (goal <= 2 under TCG)
  ipc_2proc_rtt_ns     32/36-byte AF_UNIX request/reply between two
                       processes: no out-of-process register can beat it
  ipc_2proc_qemu_shape_ns   the same with QEMU's vfio-user client threading
                       (requester sleeps on a condvar, an I/O thread reads
                       the reply and wakes it): the floor behind QEMU 11
  vus_2proc_read_rtt_ns     REGION_READ through libvus in another process
  read_vs_ipc_floor_ratio, read_vs_qemu_shape_ratio, ipc_floor_vs_emulated_ratio

The guest runs under TCG (the goal's condition) even where KVM is present;
BENCH_MMIO_ACCEL=auto lets vmlib pick KVM when it can.
"""

import argparse
import json
import os
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
HELPER = os.path.join(BUILD, "host/qemu/vgpud/guest/testdev-guest")
RTT = os.path.join(BUILD, "host/qemu/vfio-user/bench/bench_vus_rtt")
G = "/mnt/host/testdev-guest"
N = int(os.environ.get("BENCH_MMIO_N", "5000"))


def bench(g, bdf_expr, off):
    res = "/sys/bus/pci/devices/$(%s)/resource0" % bdf_expr
    best = None
    for _ in range(3):      # best of three: TCG timing is noisy
        rc, out = g.run("%s mmiobench %s %d %d" % (G, res, off, N), timeout=600)
        if rc:
            raise RuntimeError("mmiobench failed: " + out)
        r = json.loads(out.strip().splitlines()[-1])
        if best is None or r["read_ns"] < best["read_ns"]:
            best = dict(best or {}, read_ns=r["read_ns"])
        if "write_ns" not in best or r["write_ns"] < best["write_ns"]:
            best["write_ns"] = r["write_ns"]
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    import vmlib
    if os.environ.get("BENCH_MMIO_ACCEL", "tcg") == "tcg":
        vmlib.kvm_available = lambda: False     # vmlib picks KVM whenever /dev/kvm is there
    try:
        vmlib.provision()
    except Exception as e:  # noqa: BLE001 - no VM toolchain: say so, measure nothing
        why = "VM toolchain not provisioned: %s" % str(e).splitlines()[0]
        with open(args.out, "w") as f:
            json.dump({"benchmark": "mmio_roundtrip", "skipped": why}, f)
            f.write("\n")
        print(why)
        return 0

    tmp = tempfile.mkdtemp(prefix="bench-mmio-")
    share = os.path.join(tmp, "share")
    os.mkdir(share)
    shutil.copy(HELPER, share)
    log = open(os.path.join(tmp, "vgpud.log"), "w")
    d = subprocess.Popen([VGPUD, "-d", tmp, "-l", "warning", "-C", "kvmgt-testdev:b0"], stderr=log)
    sock = os.path.join(tmp, "b0.sock")
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    dev = json.dumps({"driver": "vfio-user-pci", "id": "b0",
                      "socket": {"type": "unix", "path": sock}})
    g = vmlib.Guest(name="bench-mmio", memfd=True, mem_mb=512, share_dir=share,
                    qemu_args=["-device", dev, "-device", "edu"], boot_timeout=240)
    try:
        g.start()
        td = bench(g, G + " find", 0x04)                  # TD_REG_SCRATCH
        edu = bench(g, "cd /sys/bus/pci/devices && grep -l 0x11e8 */device | cut -d/ -f1", 0x04)
        # The floors, on the same machine in the same state (guest up, idle).
        rtt_json = os.path.join(tmp, "rtt.json")
        subprocess.run([RTT, "--out", rtt_json], check=True, stdout=subprocess.DEVNULL)
        with open(rtt_json) as f:
            rtt = json.load(f)
    finally:
        g.poweroff()
        d.terminate()
        d.wait(timeout=15)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)
    r = {
        "benchmark": "mmio_roundtrip",
        "accel": "kvm" if vmlib.kvm_available() else "tcg",
        "iterations": N,
        "vfio_user_read_ns": td["read_ns"],
        "vfio_user_write_ns": td["write_ns"],
        "emulated_read_ns": edu["read_ns"],
        "emulated_write_ns": edu["write_ns"],
        "read_ratio": round(td["read_ns"] / edu["read_ns"], 2),
        "write_ratio": round(td["write_ns"] / edu["write_ns"], 2),
        "goal_ratio": 2.0,
        "ipc_2proc_rtt_ns": rtt["ipc_2proc_rtt_ns"],
        "ipc_2proc_qemu_shape_ns": rtt["ipc_2proc_qemu_shape_ns"],
        "vus_2proc_read_rtt_ns": rtt["vus_2proc_read_rtt_ns"],
        "read_vs_ipc_floor_ratio": round(td["read_ns"] / rtt["ipc_2proc_rtt_ns"], 2),
        "read_vs_qemu_shape_ratio": round(td["read_ns"] / rtt["ipc_2proc_qemu_shape_ns"], 2),
        "ipc_floor_vs_emulated_ratio": round(rtt["ipc_2proc_rtt_ns"] / edu["read_ns"], 2),
        "baseline": "QEMU edu device (emulated in QEMU), same guest, same run; "
                    "IPC floors by bench_vus_rtt, same run",
    }
    # If even a bare two-process round trip costs more than twice the
    # emulated access, no trapped register can meet the goal here.
    r["goal_reachable_over_ipc"] = r["ipc_floor_vs_emulated_ratio"] <= r["goal_ratio"]
    r["read_goal_met"] = r["read_ratio"] <= r["goal_ratio"]
    r["write_goal_met"] = r["write_ratio"] <= r["goal_ratio"]
    with open(args.out, "w") as f:
        json.dump(r, f, indent=2)
        f.write("\n")
    print(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
