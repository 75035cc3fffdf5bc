#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Boot one KVMGT guest, run each command in it, print TAP per command.

  python3 validation/vmrun.py [--name N] [--memfd] [--viommu] [--share DIR] [--qemu-arg ARG]...
                              [--mem MB] [--smp N] [--append ARGS] [--timeout S] [--lifetime S]
                              [--dmesg] -- 'cmd1' 'cmd2' ...

Exit status 0 when every command exited 0, 1 otherwise, 2 on bad usage,
3 when the guest could not be booted.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True    # keep the source tree clean
import vmlib  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(prog="vmrun.py", description=__doc__.splitlines()[0])
    ap.add_argument("--name", default="vmrun")
    ap.add_argument("--memfd", action="store_true", help="RAM as shared memfd (vfio-user)")
    ap.add_argument("--viommu", action="store_true",
                    help="emulated Intel IOMMU (for vfio-pci in the guest)")
    ap.add_argument("--share", metavar="DIR", help="host dir mounted read-only at /mnt/host")
    ap.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                    help="extra QEMU argument (repeat for each word)")
    ap.add_argument("--mem", type=int, default=1024, metavar="MB")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--append", default="", metavar="ARGS", help="extra kernel command line")
    ap.add_argument("--timeout", type=float, default=60, metavar="S",
                    help="timeout per command (default 60)")
    ap.add_argument("--boot-timeout", type=float, default=120, metavar="S")
    ap.add_argument("--lifetime", type=float, default=None, metavar="S",
                    help="kill the guest after S seconds in all")
    ap.add_argument("--dmesg", action="store_true", help="print the guest kernel log at the end")
    ap.add_argument("commands", nargs="*")
    a = ap.parse_args(argv)
    if a.share and not os.path.isdir(a.share):
        ap.error("--share: not a directory: %s" % a.share)
    if a.mem < 64 or a.smp < 1:
        ap.error("--mem must be >= 64 and --smp >= 1")

    g = vmlib.Guest(name=a.name, mem_mb=a.mem, smp=a.smp, memfd=a.memfd,
                    qemu_args=a.qemu_arg, share_dir=a.share, kernel_args=a.append,
                    boot_timeout=a.boot_timeout, viommu=a.viommu, lifetime=a.lifetime)
    print("1..%d" % len(a.commands), flush=True)
    try:
        g.start()
    except vmlib.GuestError as e:
        print("# boot failed: %s" % e)
        print("# logs in %s" % g.dir)
        return 3
    print("# %s booted kernel %s in %.1fs (logs in %s)"
          % (a.name, g.kernel_release, g.boot_seconds, g.dir), flush=True)
    failed = 0
    try:
        for i, cmd in enumerate(a.commands, 1):
            try:
                rc, out = g.run(cmd, timeout=a.timeout)
                why = "" if rc == 0 else " # exit %d" % rc
            except vmlib.CommandTimeout as e:
                rc, out, why = -1, e.output, " # timed out after %gs" % a.timeout
            except vmlib.GuestError as e:
                rc, out, why = -1, str(e), " # guest error"
            print("%s %d - %s%s" % ("ok" if rc == 0 else "not ok", i, cmd, why))
            for line in out.splitlines():
                print("  " + line)
            sys.stdout.flush()
            failed += rc != 0
            if rc != 0 and not g.alive():
                for j in range(i + 1, len(a.commands) + 1):
                    print("not ok %d - %s # guest gone" % (j, a.commands[j - 1]))
                    failed += 1
                break
        if a.dmesg:
            print("# --- guest kernel log ---")
            for line in g.dmesg().splitlines():
                print("# " + line)
    finally:
        g.poweroff()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
