# SPDX-License-Identifier: GPL-2.0-only
# host/qemu: libvus (vfio-user server library), vgpud daemon, vgpuctl CLI.

VUS_DIR   := host/qemu/vfio-user
VGPUD_DIR := host/qemu/vgpud
VUS_SRCS  := $(wildcard $(VUS_DIR)/src/*.c)
VUS_LIB   := $(B)/$(VUS_DIR)/libvus.a
VUS_CPPFLAGS := -I$(VUS_DIR)/include -I$(VUS_DIR)/src

LIBS += $(VUS_LIB)
$(VUS_LIB): $(call objs_of,$(VUS_SRCS))
$(call objs_of,$(VUS_SRCS)): CPPFLAGS += $(VUS_CPPFLAGS)

# The test device model, shared by vgpud and the library's test client.
TESTDEV_OBJ := $(call objs_of,$(VGPUD_DIR)/src/testdev.c)
$(TESTDEV_OBJ): CPPFLAGS += $(VUS_CPPFLAGS)

QEMU_TARGETS := $(VUS_LIB) $(TESTDEV_OBJ)
QEMU_TESTS   :=


# The C test client against the library + test device (no VM).
VUS_CLIENT_OBJ := $(call objs_of,$(VUS_DIR)/tests/vus_client.c)
$(VUS_CLIENT_OBJ): CPPFLAGS += $(VUS_CPPFLAGS)
INTEG_TESTS += $(B)/$(VUS_DIR)/tests/test_vus_client
QEMU_TARGETS += $(B)/$(VUS_DIR)/tests/test_vus_client
QEMU_TESTS += integ:$(B)/$(VUS_DIR)/tests/test_vus_client
$(B)/$(VUS_DIR)/tests/test_vus_client: $(call objs_of,$(VUS_DIR)/tests/test_vus_client.c) \
		$(VUS_CLIENT_OBJ) $(TESTDEV_OBJ) $(VUS_LIB)
	$(link)
$(B)/$(VUS_DIR)/tests/test_vus_client: LDLIBS += -lcmocka -ljson-c
$(call objs_of,$(VUS_DIR)/tests/test_vus_client.c): CPPFLAGS += $(VUS_CPPFLAGS) -I$(VGPUD_DIR)/src

# Unit tests of message parsing and validation.
UNIT_TESTS += $(B)/$(VUS_DIR)/tests/test_vus_proto
QEMU_TARGETS += $(B)/$(VUS_DIR)/tests/test_vus_proto
QEMU_TESTS += unit:$(B)/$(VUS_DIR)/tests/test_vus_proto
$(B)/$(VUS_DIR)/tests/test_vus_proto: $(call objs_of,$(VUS_DIR)/tests/test_vus_proto.c) \
	$(VUS_CLIENT_OBJ) $(VUS_LIB)
	$(link)
$(B)/$(VUS_DIR)/tests/test_vus_proto: LDLIBS += -lcmocka -ljson-c
$(call objs_of,$(VUS_DIR)/tests/test_vus_proto.c): CPPFLAGS += $(VUS_CPPFLAGS)

# libFuzzer target over the message parser (make fuzz).
ifeq ($(FUZZ),1)
FUZZERS += $(B)/$(VUS_DIR)/fuzz/fuzz_vus_msg
$(B)/$(VUS_DIR)/fuzz/fuzz_vus_msg: $(call objs_of,$(VUS_DIR)/fuzz/fuzz_vus_msg.c) $(VUS_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(FUZZ_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS) -ljson-c
$(call objs_of,$(VUS_DIR)/fuzz/fuzz_vus_msg.c): CPPFLAGS += $(VUS_CPPFLAGS)
# Coverage instrumentation (common.mk's FUZZ flags only add sanitizers).
$(call objs_of,$(VUS_SRCS) $(VUS_DIR)/fuzz/fuzz_vus_msg.c): CFLAGS += -fsanitize=fuzzer-no-link
endif

# vgpud daemon and vgpuctl CLI.
VGPUD_SRCS := $(filter-out %/vgpuctl.c %/testdev.c,$(wildcard $(VGPUD_DIR)/src/*.c))
VGPUD_BIN := $(B)/$(VGPUD_DIR)/vgpud
VGPUCTL_BIN := $(B)/$(VGPUD_DIR)/vgpuctl
BINS += $(VGPUD_BIN) $(VGPUCTL_BIN)
QEMU_TARGETS += $(VGPUD_BIN) $(VGPUCTL_BIN)
$(call objs_of,$(VGPUD_SRCS) $(VGPUD_DIR)/src/vgpuctl.c): CPPFLAGS += $(VUS_CPPFLAGS)
$(VGPUD_BIN): $(call objs_of,$(VGPUD_SRCS)) $(TESTDEV_OBJ) $(VUS_LIB)
	$(link)
$(VGPUD_BIN): LDLIBS += -ljson-c
$(VGPUCTL_BIN): $(call objs_of,$(VGPUD_DIR)/src/vgpuctl.c)
	$(link)
$(VGPUCTL_BIN): LDLIBS += -ljson-c

# vus-probe: a one-shot vfio-user client for scripts and tests.
VUS_PROBE := $(B)/$(VUS_DIR)/tests/vus-probe
BINS += $(VUS_PROBE)
QEMU_TARGETS += $(VUS_PROBE)
$(VUS_PROBE): $(call objs_of,$(VUS_DIR)/tests/vus_probe.c) $(VUS_CLIENT_OBJ)
	$(link)
$(call objs_of,$(VUS_DIR)/tests/vus_probe.c): CPPFLAGS += $(VUS_CPPFLAGS)

# vgpud end to end (no VM).
INTEG_TESTS += $(VGPUD_DIR)/tests/test_vgpud.sh
QEMU_TESTS += integ:$(VGPUD_DIR)/tests/test_vgpud.sh

# The in-guest helper of the VM tests: static, shipped to the guest over 9p.
TESTDEV_GUEST := $(B)/$(VGPUD_DIR)/guest/testdev-guest
BINS += $(TESTDEV_GUEST)
QEMU_TARGETS += $(TESTDEV_GUEST)
# Plain flags: no sanitizers in a static guest binary.
TESTDEV_GUEST_SRCS := $(VGPUD_DIR)/guest/testdev_guest.c $(VGPUD_DIR)/guest/guest_pci.c
$(call objs_of,$(TESTDEV_GUEST_SRCS)): CFLAGS := $(CSTD) -O2 -g $(WARN) -D_GNU_SOURCE -MMD -MP
$(TESTDEV_GUEST): $(call objs_of,$(TESTDEV_GUEST_SRCS))
	@mkdir -p $(@D)
	@echo "  LD      $@ (static)"
	@$(CC) -static -o $@ $(filter %.o,$^)

# VM tests (validation/vmlib.py): the transport end to end under QEMU.
VM_TESTS += $(VGPUD_DIR)/tests/vm_testdev.py
QEMU_VM_TESTS := vm:$(VGPUD_DIR)/tests/vm_testdev.py

# Benchmark (make bench): MMIO latency via vfio-user vs. a QEMU-emulated device.
BENCHES += $(VUS_DIR)/bench/bench_mmio.py $(B)/$(VUS_DIR)/bench/bench_vus_rtt
QEMU_TARGETS += $(B)/$(VUS_DIR)/bench/bench_vus_rtt
$(B)/$(VUS_DIR)/bench/bench_vus_rtt: $(call objs_of,$(VUS_DIR)/bench/bench_vus_rtt.c) \
		$(VUS_CLIENT_OBJ) $(TESTDEV_OBJ) $(VUS_LIB)
	$(link)
$(B)/$(VUS_DIR)/bench/bench_vus_rtt: LDLIBS += -ljson-c
$(call objs_of,$(VUS_DIR)/bench/bench_vus_rtt.c): CPPFLAGS += $(VUS_CPPFLAGS) -I$(VGPUD_DIR)/src -I$(VUS_DIR)/tests

# Keep last: the aliases see every target appended above.
.PHONY: qemu qemu-test qemu-vmtest
qemu: $(QEMU_TARGETS)
qemu-test: qemu
	@bash scripts/run-tests.sh $(QEMU_TESTS) $(QEMU_VM_TESTS)
# Only the VM tests (slow under TCG).
qemu-vmtest: qemu
	@bash scripts/run-tests.sh $(QEMU_VM_TESTS)
