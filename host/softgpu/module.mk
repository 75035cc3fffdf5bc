# SPDX-License-Identifier: GPL-2.0-only
# softgpu: software model of an Intel Gen9 GPU (see docs/softgpu.md)

SGPU_SRCS := $(wildcard host/softgpu/src/*.c)
SGPU_LIB  := $(B)/host/softgpu/libsoftgpu.a
SGPU_INC  := -Ihost/softgpu/include -Ihost/softgpu/src -Ihost/gvt/hostdrv/include

LIBS += $(SGPU_LIB)
$(SGPU_LIB): $(call objs_of,$(SGPU_SRCS))
$(call objs_of,$(SGPU_SRCS)): CPPFLAGS += $(SGPU_INC)

SGPU_TEST_SRCS := $(wildcard host/softgpu/tests/*.c)
SGPU_TESTS := $(patsubst host/softgpu/tests/%.c,$(B)/host/softgpu/tests/%,$(wildcard host/softgpu/tests/test_*.c))
SGPU_TEST_COMMON := $(call objs_of,$(filter-out $(wildcard host/softgpu/tests/test_*.c),$(SGPU_TEST_SRCS)))
UNIT_TESTS += $(SGPU_TESTS)
$(call objs_of,$(SGPU_TEST_SRCS)): CPPFLAGS += $(SGPU_INC)
$(SGPU_TESTS): $(B)/host/softgpu/tests/%: $(B)/host/softgpu/tests/%.o $(SGPU_TEST_COMMON) $(B)/host/gvt/hostdrv/libhostdrv.a $(SGPU_LIB)
	$(link)
$(SGPU_TESTS): LDLIBS += -lcmocka

SGPU_BENCH := $(B)/host/softgpu/bench/bench_softgpu
BENCHES += $(SGPU_BENCH)
$(call objs_of,host/softgpu/bench/bench_softgpu.c): CPPFLAGS += $(SGPU_INC)
$(SGPU_BENCH): $(call objs_of,host/softgpu/bench/bench_softgpu.c) $(B)/host/gvt/hostdrv/libhostdrv.a $(SGPU_LIB)
	$(link)

ifeq ($(FUZZ),1)
# libFuzzer coverage for our objects (the shared FUZZ flags only add ASan/UBSan)
$(call objs_of,$(SGPU_SRCS) host/softgpu/fuzz/fuzz_softgpu.c): CFLAGS += -fsanitize=fuzzer-no-link
SGPU_FUZZ := $(B)/host/softgpu/fuzz/fuzz_softgpu
FUZZERS += $(SGPU_FUZZ)
$(call objs_of,host/softgpu/fuzz/fuzz_softgpu.c): CPPFLAGS += $(SGPU_INC)
$(SGPU_FUZZ): $(call objs_of,host/softgpu/fuzz/fuzz_softgpu.c) $(B)/host/gvt/hostdrv/libhostdrv.a $(SGPU_LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) $(FUZZ_LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)
endif

.PHONY: softgpu softgpu-test
softgpu: $(SGPU_LIB) $(SGPU_TESTS) $(SGPU_BENCH)
softgpu-test: softgpu
	@bash scripts/run-tests.sh $(foreach t,$(SGPU_TESTS),unit:$(t))
