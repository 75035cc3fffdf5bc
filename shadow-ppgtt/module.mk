# SPDX-License-Identifier: GPL-2.0-only
# shadow-ppgtt: the shadow PPGTT engine (libsppt) and its tests, bench, fuzzer.
# The core (src/*.c) is freestanding; src/posix/ is the userspace deps
# implementation, selected by the include path (-Ishadow-ppgtt/src/posix).

SPPT_DIR       := shadow-ppgtt
SPPT_LIB       := $(B)/$(SPPT_DIR)/libsppt.a
SPPT_SRCS      := $(wildcard $(SPPT_DIR)/src/*.c) $(wildcard $(SPPT_DIR)/src/posix/*.c)
SPPT_CPPFLAGS  := -I$(SPPT_DIR)/include -I$(SPPT_DIR)/src -I$(SPPT_DIR)/src/posix
SPPT_FAKE_SRCS := $(SPPT_DIR)/tests/sppt_fake.c $(SPPT_DIR)/tests/sppt_prop.c
SPPT_FAKE_OBJS := $(call objs_of,$(SPPT_FAKE_SRCS))
SPPT_TESTS     := $(B)/$(SPPT_DIR)/tests/test_sppt $(B)/$(SPPT_DIR)/tests/test_sppt_prop
SPPT_BENCH     := $(B)/$(SPPT_DIR)/bench/bench_sppt
SPPT_FUZZ      := $(B)/$(SPPT_DIR)/fuzz/fuzz_sppt
SPPT_SOAK      := $(B)/$(SPPT_DIR)/fuzz/sppt_soak

SPPT_INTEG     := $(SPPT_DIR)/tests/freestanding_check.sh $(SPPT_DIR)/tests/kbuild_check.sh

LIBS        += $(SPPT_LIB)
UNIT_TESTS  += $(SPPT_TESTS)
INTEG_TESTS += $(SPPT_INTEG)
BENCHES     += $(SPPT_BENCH)

$(SPPT_LIB): $(call objs_of,$(SPPT_SRCS))
$(call objs_of,$(SPPT_SRCS) $(SPPT_FAKE_SRCS)): CPPFLAGS += $(SPPT_CPPFLAGS) $(SPPT_SOAK_CPPFLAGS)
$(call objs_of,$(wildcard $(SPPT_DIR)/tests/test_*.c $(SPPT_DIR)/bench/*.c $(SPPT_DIR)/fuzz/*.c)): \
	CPPFLAGS += $(SPPT_CPPFLAGS) -I$(SPPT_DIR)/tests

$(B)/$(SPPT_DIR)/tests/test_sppt: $(call objs_of,$(SPPT_DIR)/tests/test_sppt.c) $(SPPT_FAKE_OBJS) $(SPPT_LIB)
	$(link)
$(B)/$(SPPT_DIR)/tests/test_sppt_prop: $(call objs_of,$(SPPT_DIR)/tests/test_sppt_prop.c) $(SPPT_FAKE_OBJS) $(SPPT_LIB)
	$(link)
$(SPPT_TESTS): LDLIBS += $(CMOCKA_LIBS)

$(SPPT_BENCH): $(call objs_of,$(SPPT_DIR)/bench/bench_sppt.c) $(SPPT_FAKE_OBJS) $(SPPT_LIB)
	$(link)

ifeq ($(FUZZ),1)
# The property soak runs beside the fuzzers: it wants speed, not
# instrumentation, so it comes from an -O2 tree of its own without sanitizers
# (and with the baseline leaf loops: the tests run the CPU's clone).
FUZZERS += $(SPPT_SOAK)
.PHONY: $(SPPT_SOAK)
$(SPPT_SOAK):
	@$(MAKE) --no-print-directory B=$(B)/nosan FUZZ=0 SAN=0 \
		SPPT_SOAK_CPPFLAGS=-DSPPT_NO_CLONES $(B)/nosan/$(SPPT_DIR)/fuzz/sppt_soak
	@mkdir -p $(@D) && cp $(B)/nosan/$(SPPT_DIR)/fuzz/sppt_soak $@
else
$(SPPT_SOAK): $(call objs_of,$(SPPT_DIR)/fuzz/sppt_soak.c) $(SPPT_FAKE_OBJS) $(SPPT_LIB)
	$(link)
endif

ifeq ($(FUZZ),1)
# libFuzzer coverage for the engine (the shared FUZZ flags only add ASan/UBSan;
# the checker stays uninstrumented: it is the oracle, not the target).
$(call objs_of,$(SPPT_SRCS) $(SPPT_DIR)/fuzz/fuzz_sppt.c): CFLAGS += -fsanitize=fuzzer-no-link \
	-fno-sanitize-coverage=trace-cmp
FUZZERS += $(SPPT_FUZZ)
$(SPPT_FUZZ): $(call objs_of,$(SPPT_DIR)/fuzz/fuzz_sppt.c) $(SPPT_FAKE_OBJS) $(SPPT_LIB)
	$(link)
$(SPPT_FUZZ): LDFLAGS += $(FUZZ_LDFLAGS)
endif

.PHONY: sppt sppt-test sppt-soak
sppt: $(SPPT_LIB) $(SPPT_TESTS) $(SPPT_BENCH) $(if $(filter 1,$(FUZZ)),,$(SPPT_SOAK))

sppt-test: $(SPPT_TESTS)
	@bash scripts/run-tests.sh $(foreach t,$(SPPT_TESTS),unit:$(t)) $(foreach t,$(SPPT_INTEG),integ:$(t))

# The property soak (fuzz/sppt_soak.c) from this build: SPPT_SOAK_STEPS steps
# in each sync mode (default 400,000, 1.2 million in all; `make fuzz` runs it too).
sppt-soak: $(SPPT_SOAK)
	$(if $(SPPT_SOAK_STEPS),SPPT_SOAK_STEPS=$(SPPT_SOAK_STEPS) )$<

