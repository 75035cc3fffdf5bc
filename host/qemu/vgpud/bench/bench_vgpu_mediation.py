#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Host-side mediation cost per GPU submission (issue 7), measured while IGT
runs in a guest on a GVTg_V5_8 vGPU (vgpud executing the guest's GPU work on
softgpu). Usage: bench_vgpu_mediation.py --out FILE.json

vgpud's `stats` counters (docs/vgpud.md) are read before and after each IGT
run (gem_exec_nop basic-series, gem_exec_store basic); the differences,
divided by the workloads submitted to the physical GPU in that run, give per
submission:
  prepare/scan/sync/submit/total_ns   host time of each dispatch phase
                                      (context read + ring copy, command
                                      scanner, shadow PPGTT sync, host submit)
  sync_pages_checked                  guest page-table pages the sync compared
  all_traps, mmio_traps, ggtt_writes, cfg_accesses, aperture_accesses
                                      guest accesses that trapped into vgpud
                                      during the run (i915 included), per
                                      submission
Baselines from the same run:
  memcmp of the pages the sync compared, memcpy of one 4 KiB page and one
  monotonic clock read on this host (mediation-base, a small C helper run
  between the IGT runs), and the guest's own cost of one MMIO read and write
  of QEMU's emulated `edu` device (a trap that never leaves QEMU) beside the
  time vgpud spends per submission.
Timing in the guest is TCG-emulated when there is no KVM; the host-side
figures are real host time either way.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
import vgpu_vmtest as V  # noqa: E402

BASE = os.path.join(V.BUILD, "host/qemu/vgpud/bench/mediation-base")
TESTDEV_HELPER = os.path.join(V.BUILD, "host/qemu/vgpud/guest/testdev-guest")
EDU_N = int(os.environ.get("BENCH_EDU_N", "2000"))

# (label, IGT binary, subtest, timeout s)
RUNS = [
    ("gem_exec_nop", "gem_exec_nop", "basic-series", 300),
    ("gem_exec_store", "gem_exec_store", "basic", 300),
]

TIME_KEYS = ("prepare_ns", "scan_ns", "sync_ns", "submit_ns", "total_ns")


class Quiet:
    """The Tap interface Vgpud.stop() wants, printing nothing."""
    failed = 0

    def __call__(self, ok, name, detail=""):
        self.failed += not ok
        return ok

    def note(self, msg):
        pass


def write(path, r):
    with open(path, "w") as f:
        json.dump(r, f, indent=2)
        f.write("\n")


def host_baseline():
    out = subprocess.run([BASE], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def edu_cost(g):
    """ns per 32-bit read / write of QEMU's edu device from the guest (best of 3)."""
    find = "cd /sys/bus/pci/devices && grep -l 0x11e8 */device | cut -d/ -f1"
    res = "/sys/bus/pci/devices/$(%s)/resource0" % find
    best = {}
    for _ in range(3):
        # offset 4: edu's liveness register (a write only stores its inverse)
        rc, out = g.run("/mnt/host/testdev-guest mmiobench %s 4 %d" % (res, EDU_N), timeout=300)
        if rc:
            raise RuntimeError("mmiobench on edu failed: " + out)
        r = json.loads(out.strip().splitlines()[-1])
        for k in ("read_ns", "write_ns"):
            best[k] = min(best.get(k, r[k]), r[k])
    return best


def per_run(label, cmd, res, secs, s0, s1, base, edu):
    d = {k: s1[k] - s0[k] for k in s1 if isinstance(s1[k], int) and k in s0}
    n = d["workloads"]
    r = {"test": cmd, "igt_result": res, "wall_s": round(secs, 1), "submissions": n,
         "completed": d["completed"], "failed": d["failed"],
         "empty_workloads": d["empty_workloads"], "elsp_submissions": d["elsp_submissions"]}
    if n == 0:
        r["note"] = "no workload reached the physical GPU: nothing to divide by"
        return r
    per = {k: d[k] / n for k in TIME_KEYS}
    pages = d["sync_pages_checked"] / n
    memcmp_ns = pages * base["memcmp_4k_ns"]
    r.update({
        "mean_ns": {k[:-3]: round(v, 1) for k, v in per.items()},
        "sync_pages_checked": round(pages, 2),
        "sppt_resyncs": d["sppt_resyncs"],
        "sppt_entries_synced": d["sppt_entries_synced"],
        "sppt_guest_pages_end": s1["sppt_guest_pages"],
        "per_submission": {
            "all_traps": round(sum(d[k] for k in (
                "cfg_reads", "cfg_writes", "reg_reads", "reg_writes", "ggtt_reads",
                "ggtt_writes", "aperture_reads", "aperture_writes")) / n, 2),
            "mmio_traps": round((d["reg_reads"] + d["reg_writes"]) / n, 2),
            "mmio_reads": round(d["reg_reads"] / n, 2),
            "mmio_writes": round(d["reg_writes"] / n, 2),
            "ggtt_writes": round(d["ggtt_writes"] / n, 2),
            "ggtt_reads": round(d["ggtt_reads"] / n, 2),
            "cfg_accesses": round((d["cfg_reads"] + d["cfg_writes"]) / n, 2),
            "aperture_accesses": round((d["aperture_reads"] + d["aperture_writes"]) / n, 2),
            "vfio_user_messages": round(d["messages"] / n, 2),
        },
    })
    figs = [
        ("sync_ns_per_submission", per["sync_ns"],
         "memcmp of the %.1f pages the sync compared" % pages, memcmp_ns),
        ("sync_ns_per_submission_vs_4k_memcpy", per["sync_ns"], "memcpy 4 KiB",
         base["memcpy_4k_ns"]),
        ("prepare_ns_per_submission", per["prepare_ns"], "memcpy 4 KiB", base["memcpy_4k_ns"]),
        ("scan_ns_per_submission", per["scan_ns"], "memcpy 4 KiB", base["memcpy_4k_ns"]),
        ("submit_ns_per_submission", per["submit_ns"], "memcpy 4 KiB", base["memcpy_4k_ns"]),
        ("total_ns_per_submission", per["total_ns"], "memcpy 4 KiB", base["memcpy_4k_ns"]),
        ("total_ns_per_submission_vs_edu_read", per["total_ns"],
         "guest read of QEMU's edu register", edu["read_ns"]),
    ]
    r["figures"] = [{"name": name, "unit": "ns", "value": round(v, 1), "baseline_name": bn,
                     "baseline": round(b, 1), "ratio": round(v / b, 2) if b > 0 else None}
                    for name, v, bn, b in figs]
    return r


def summary(r):
    lines = ["vGPU mediation per submission (%s, %s)" % (r["accel"], r["vgpu_type"]),
             "  baselines: memcpy 4 KiB %.0f ns, memcmp 4 KiB %.0f ns, clock read %.0f ns; "
             "guest edu MMIO read %.0f ns, write %.0f ns" % (
                 r["host_baseline"]["memcpy_4k_ns"], r["host_baseline"]["memcmp_4k_ns"],
                 r["host_baseline"]["clock_ns"], r["guest_baseline"]["edu_read_ns"],
                 r["guest_baseline"]["edu_write_ns"])]
    for t in r["runs"]:
        if "mean_ns" not in t:
            lines.append("  %-32s %s, %d submissions: %s" % (t["test"], t["igt_result"],
                                                            t["submissions"], t.get("note", "")))
            continue
        m, p = t["mean_ns"], t["per_submission"]
        lines.append("  %-32s %s, %d submissions in %.0fs" % (t["test"], t["igt_result"],
                                                             t["submissions"], t["wall_s"]))
        lines.append("    ns/submission: prepare %.0f  scan %.0f  sync %.0f  submit %.0f  "
                     "total %.0f" % (m["prepare"], m["scan"], m["sync"], m["submit"], m["total"]))
        lines.append("    sync compared %.1f pages (memcmp of those: %.0f ns)" % (
            t["sync_pages_checked"], t["figures"][0]["baseline"]))
        lines.append("    traps/submission: MMIO %.1f (r %.1f, w %.1f)  GGTT writes %.1f  "
                     "config %.2f  aperture %.1f  (all %.1f; vfio-user messages %.1f)" % (
                         p["mmio_traps"], p["mmio_reads"], p["mmio_writes"], p["ggtt_writes"],
                         p["cfg_accesses"], p["aperture_accesses"], p["all_traps"],
                         p["vfio_user_messages"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    result = {"benchmark": "vgpu_mediation"}
    for p in (V.VGPUD, V.VGPUCTL, V.HELPER, BASE, TESTDEV_HELPER):
        if not os.access(p, os.X_OK):
            result["skipped"] = "missing %s: run 'make' first" % p
            write(args.out, result)
            print(result["skipped"])
            return 0
    try:
        import vmlib
        vmlib.provision()
    except Exception as e:  # noqa: BLE001 - no VM toolchain: say so, measure nothing
        result["skipped"] = "VM toolchain not provisioned: %s" % str(e).splitlines()[0]
        write(args.out, result)
        print(result["skipped"])
        return 0

    os.environ.setdefault("VGPUD_LOG_LEVEL", "warning")
    d = V.Vgpud(["GVTg_V5_8:vm1"], ["--exec"])
    shutil.copy(TESTDEV_HELPER, d.share)
    runs, base, base2, edu = [], None, None, None
    try:
        st = d.status("vm1")
        dev = json.dumps({"driver": "vfio-user-pci", "id": "vgpu0", "addr": "02.0",
                          "socket": {"type": "unix", "path": d.sock("vm1")}})
        g = vmlib.Guest(name="bench-mediation", memfd=True, mem_mb=768, share_dir=d.share,
                        qemu_args=["-device", dev, "-fw_cfg",
                                   "name=etc/igd-opregion,file=%s" % st["opregion"],
                                   "-device", "edu"],
                        boot_timeout=240)
        try:
            g.start()
            rc, out = V.load_i915(g)
            if rc or "connected" not in out.split():
                raise RuntimeError("guest i915 did not bind the vGPU: " + out[-500:])
            edu = edu_cost(g)
            base = host_baseline()
            for label, name, sub, timeout in RUNS:
                s0 = d.ctl("stats", "vm1")["stats"]
                t0 = time.time()
                try:
                    rc, out = g.run("%s --run-subtest %s 2>&1" % (name, sub), timeout=timeout)
                    res = igt_result(rc, out)
                except vmlib.CommandTimeout:
                    res = "timeout"
                secs = time.time() - t0
                s1 = d.ctl("stats", "vm1")["stats"]
                runs.append(per_run(label, "%s --run-subtest %s" % (name, sub), res, secs,
                                    s0, s1, base, edu))
            # the host baseline again after the runs: load may have changed
            base2 = host_baseline()
        finally:
            g.kill()
    finally:
        d.stop(Quiet())

    result.update({
        "accel": "kvm" if vmlib.kvm_available() else "tcg",
        "vgpu_type": "GVTg_V5_8",
        "host_baseline": base,
        "host_baseline_after": base2,
        "guest_baseline": {"edu_read_ns": edu["read_ns"], "edu_write_ns": edu["write_ns"],
                           "iterations": EDU_N},
        "baseline_note": "memcmp/memcpy/clock: mediation-base on this host in the same run "
                         "(best of 7 rounds); edu: the guest's own MMIO cost to a device "
                         "QEMU emulates in process",
        "runs": runs,
    })
    write(args.out, result)
    print(summary(result))
    return 0 if all(t["igt_result"] == "pass" for t in runs) else 1


def igt_result(rc, out):
    """IGT's verdict: exit 0 pass, 77 skip, else fail."""
    if rc == 0 and ": FAIL" not in out and ": CRASH" not in out:
        return "pass"
    return "skip" if rc == 77 else "fail"


if __name__ == "__main__":
    sys.exit(main())
