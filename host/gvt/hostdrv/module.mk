# SPDX-License-Identifier: GPL-2.0-only
# hostdrv: host driver for a physical Gen9 GPU, reached through a bus ops table

HDRV_SRCS := $(wildcard host/gvt/hostdrv/src/*.c)
HDRV_LIB  := $(B)/host/gvt/hostdrv/libhostdrv.a
HDRV_INC  := -Ihost/gvt/hostdrv/include -Ihost/gvt/hostdrv/src

LIBS += $(HDRV_LIB)
$(HDRV_LIB): $(call objs_of,$(HDRV_SRCS))
$(call objs_of,$(HDRV_SRCS)): CPPFLAGS += $(HDRV_INC)

HDRV_TESTS := $(patsubst host/gvt/hostdrv/tests/%.c,$(B)/host/gvt/hostdrv/tests/%,$(wildcard host/gvt/hostdrv/tests/test_*.c))
UNIT_TESTS += $(HDRV_TESTS)
$(call objs_of,$(wildcard host/gvt/hostdrv/tests/*.c)): CPPFLAGS += $(HDRV_INC) -Ihost/softgpu/include
$(HDRV_TESTS): $(B)/host/gvt/hostdrv/tests/%: $(B)/host/gvt/hostdrv/tests/%.o $(HDRV_LIB) $(B)/host/softgpu/libsoftgpu.a
	$(link)
$(HDRV_TESTS): LDLIBS += -lcmocka

ifeq ($(FUZZ),1)
$(call objs_of,$(HDRV_SRCS)): CFLAGS += -fsanitize=fuzzer-no-link
endif

.PHONY: hostdrv hostdrv-test
hostdrv: $(HDRV_LIB) $(HDRV_TESTS)
hostdrv-test: hostdrv
	@bash scripts/run-tests.sh $(foreach t,$(HDRV_TESTS),unit:$(t))
