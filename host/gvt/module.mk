# SPDX-License-Identifier: GPL-2.0-only
# host/gvt: the vGPU device model (freestanding core, POSIX deps for now).
# The host driver in host/gvt/hostdrv/ has its own module.mk.

GVT_SRCS := $(wildcard host/gvt/src/*.c)
GVT_LIB  := $(B)/host/gvt/libgvt.a
GVT_CPPFLAGS := -Ihost/gvt/include -Ihost/gvt/src -Iinclude -Ishadow-ppgtt/include
# Workloads use the shadow PPGTT engine: libgvt.a carries libsppt's objects
# (built by shadow-ppgtt/module.mk) so every user links one archive.
GVT_SPPT_OBJS := $(call objs_of,$(wildcard shadow-ppgtt/src/*.c shadow-ppgtt/src/posix/*.c))

LIBS += $(GVT_LIB)
$(GVT_LIB): $(call objs_of,$(GVT_SRCS)) $(GVT_SPPT_OBJS)
$(call objs_of,$(GVT_SRCS)): CPPFLAGS += $(GVT_CPPFLAGS)
# the gvt_host_ops adapter over hostdrv (gvt_hostdrv.h); only its users link libhostdrv
$(call objs_of,host/gvt/src/gvt_hostdrv.c): CPPFLAGS += -Ihost/gvt/hostdrv/include

GVT_TEST_NAMES := test_gvt_cfg test_gvt_mmio test_gvt_ggtt test_gvt_types test_gvt_display test_gvt_opregion test_gvt_probe test_gvt_robust test_gvt_cmd
GVT_TESTS := $(addprefix $(B)/host/gvt/tests/,$(GVT_TEST_NAMES))
GVT_TEST_COMMON := $(B)/host/gvt/tests/gvt_test_util.o

UNIT_TESTS += $(GVT_TESTS)
$(GVT_TEST_COMMON) $(patsubst %,$(B)/host/gvt/tests/%.o,$(GVT_TEST_NAMES)): CPPFLAGS += $(GVT_CPPFLAGS)
$(GVT_TESTS): $(B)/host/gvt/tests/%: $(B)/host/gvt/tests/%.o $(GVT_TEST_COMMON) $(GVT_LIB)
	$(link)
$(GVT_TESTS): LDLIBS += $(CMOCKA_LIBS)

# Workloads end to end: a real softgpu behind hostdrv as the physical GPU.
GVT_WL_TEST_NAMES := $(notdir $(basename $(wildcard host/gvt/tests/test_gvt_workload*.c \
	host/gvt/tests/test_gvt_execlist*.c host/gvt/tests/test_gvt_mmio_ctx.c)))
GVT_WL_TESTS := $(addprefix $(B)/host/gvt/tests/,$(GVT_WL_TEST_NAMES))
# their shared environment: softgpu + hostdrv + adapter, guests (gvt_test_sgpu.h)
GVT_WL_COMMON := $(B)/host/gvt/tests/gvt_test_sgpu.o
UNIT_TESTS += $(GVT_WL_TESTS)
$(GVT_WL_COMMON) $(patsubst %,$(B)/host/gvt/tests/%.o,$(GVT_WL_TEST_NAMES)): CPPFLAGS += \
	$(GVT_CPPFLAGS) -Ihost/gvt/hostdrv/include -Ihost/softgpu/include
$(GVT_WL_TESTS): $(B)/host/gvt/tests/%: $(B)/host/gvt/tests/%.o $(GVT_TEST_COMMON) \
		$(GVT_WL_COMMON) $(GVT_LIB) \
		$(B)/host/gvt/hostdrv/libhostdrv.a $(B)/host/softgpu/libsoftgpu.a
	$(link)
$(GVT_WL_TESTS): LDLIBS += $(CMOCKA_LIBS) -lpthread
GVT_TESTS += $(GVT_WL_TESTS)

GVT_BENCH := $(B)/host/gvt/bench/bench_gvt_mmio
BENCHES += $(GVT_BENCH)
$(call objs_of,host/gvt/bench/bench_gvt_mmio.c): CPPFLAGS += $(GVT_CPPFLAGS)
$(GVT_BENCH): $(call objs_of,host/gvt/bench/bench_gvt_mmio.c) $(GVT_LIB)
	$(link)

ifeq ($(FUZZ),1)
FUZZERS += $(B)/host/gvt/fuzz/fuzz_gvt_mmio
$(B)/host/gvt/fuzz/fuzz_gvt_mmio.o: CPPFLAGS += $(GVT_CPPFLAGS)
# coverage instrumentation for the library under test, not only the target
$(call objs_of,$(GVT_SRCS) host/gvt/fuzz/fuzz_gvt_mmio.c): CFLAGS += -fsanitize=fuzzer-no-link
$(B)/host/gvt/fuzz/fuzz_gvt_mmio: $(B)/host/gvt/fuzz/fuzz_gvt_mmio.o $(GVT_LIB)
	$(link)
$(B)/host/gvt/fuzz/fuzz_gvt_mmio: LDFLAGS += $(FUZZ_LDFLAGS)
FUZZERS += $(B)/host/gvt/fuzz/fuzz_gvt_cmd
$(B)/host/gvt/fuzz/fuzz_gvt_cmd.o: CPPFLAGS += $(GVT_CPPFLAGS)
$(B)/host/gvt/fuzz/fuzz_gvt_cmd.o: CFLAGS += -fsanitize=fuzzer-no-link
$(B)/host/gvt/fuzz/fuzz_gvt_cmd: $(B)/host/gvt/fuzz/fuzz_gvt_cmd.o $(GVT_LIB)
	$(link)
$(B)/host/gvt/fuzz/fuzz_gvt_cmd: LDFLAGS += $(FUZZ_LDFLAGS)
endif

.PHONY: gvt gvt-test
gvt: $(GVT_LIB) $(GVT_TESTS) $(GVT_BENCH)
gvt-test: gvt
	@bash scripts/run-tests.sh $(foreach t,$(GVT_TESTS),unit:$(t))
