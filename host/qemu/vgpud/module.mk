# SPDX-License-Identifier: GPL-2.0-only
# The vGPU types of vgpud (host/gvt over vfio-user): sources in
# host/qemu/vgpud/src/{vgpud_type_gvt,gvtdev,vgpud_png,vgpud_vnc,vgpud_exec}.c are part of vgpud
# (host/qemu/module.mk globs them); here: their flags, libraries and tests.

VGPU_SRCS := $(addprefix host/qemu/vgpud/src/,vgpud_type_gvt.c gvtdev.c vgpud_png.c vgpud_vnc.c vgpud_exec.c)
$(call objs_of,$(VGPU_SRCS)): CPPFLAGS += -Ihost/gvt/include -Ihost/gvt/hostdrv/include \
	-Ihost/softgpu/include -Iinclude
$(B)/host/qemu/vgpud/vgpud: $(B)/host/gvt/libgvt.a $(B)/host/gvt/hostdrv/libhostdrv.a \
	$(B)/host/softgpu/libsoftgpu.a
$(B)/host/qemu/vgpud/vgpud: LDLIBS += -lpng -lvncserver -lpthread

# The in-guest helper of the VM tests (static, shipped over 9p).
VGPU_GUEST := $(B)/host/qemu/vgpud/guest/vgpu-guest
BINS += $(VGPU_GUEST)
VGPU_GUEST_SRCS := host/qemu/vgpud/guest/vgpu_guest.c host/qemu/vgpud/guest/guest_pci.c
$(call objs_of,$(VGPU_GUEST_SRCS)): CFLAGS := $(CSTD) -O2 -g $(WARN) -D_GNU_SOURCE -MMD -MP
$(call objs_of,$(VGPU_GUEST_SRCS)): CPPFLAGS += -Iinclude
$(VGPU_GUEST): $(call objs_of,$(VGPU_GUEST_SRCS))
	@mkdir -p $(@D)
	@echo "  LD      $@ (static)"
	@$(CC) -static -o $@ $(filter %.o,$^)

# vgpuctl + vGPU types end to end without a VM (vus-probe talks vfio-user).
VGPU_INTEG_TESTS := host/qemu/vgpud/tests/test_vgpu_ctl.py
INTEG_TESTS += $(VGPU_INTEG_TESTS)

VGPU_VM_TESTS := $(addprefix host/qemu/vgpud/tests/,vm_vgpu_display.py vm_vgpu_lifecycle.py vm_vgpu_isolation.py \
	vm_vgpu_gem.py)
VM_TESTS += $(VGPU_VM_TESTS)

.PHONY: vgpu vgpu-test
vgpu: $(B)/host/qemu/vgpud/vgpud $(B)/host/qemu/vgpud/vgpuctl $(VGPU_GUEST) \
	$(B)/host/qemu/vfio-user/tests/vus-probe
vgpu-test: vgpu
	@bash scripts/run-tests.sh $(foreach t,$(VGPU_INTEG_TESTS),integ:$(t)) \
		$(foreach t,$(VGPU_VM_TESTS),vm:$(t))

# The mediation benchmark (a VM bench: IGT in a guest, vgpud's stats) and its
# host baselines helper (memcpy/memcmp of a 4 KiB page, clock read).
VGPU_BENCH_BASE := $(B)/host/qemu/vgpud/bench/mediation-base
BINS += $(VGPU_BENCH_BASE)
$(VGPU_BENCH_BASE): $(call objs_of,host/qemu/vgpud/bench/mediation_base.c)
	$(link)
BENCHES += host/qemu/vgpud/bench/bench_vgpu_mediation.py
vgpu: $(VGPU_BENCH_BASE)
