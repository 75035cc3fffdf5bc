# SPDX-License-Identifier: GPL-2.0-only
# Shared compiler flags and pattern rules. Objects go under $(B)/<source path>.

CC      ?= cc
AR      ?= ar
# make's built-in default CC is "cc"; keep it unless the user chose one.
CSTD    := -std=gnu11
WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes \
           -Wold-style-definition -Wundef -Wwrite-strings -Wformat=2 \
           -Wno-unused-parameter
OPT     ?= -O2 -g
CFLAGS  := $(CSTD) $(OPT) $(WARN) -fno-strict-aliasing -D_GNU_SOURCE -MMD -MP
LDFLAGS :=
LDLIBS  := -lpthread

ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# FUZZ=1 builds the libFuzzer targets (clang only).
ifeq ($(FUZZ),1)
# Sanitizers only: each module adds -fsanitize=fuzzer-no-link to the objects
# it wants coverage for (the code under test, not its oracles); only the fuzz
# binaries link libFuzzer's main (FUZZ_LDFLAGS).
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -DKVMGT_FUZZING
LDFLAGS += -fsanitize=address,undefined
FUZZ_LDFLAGS := -fsanitize=fuzzer
endif

CMOCKA_LIBS := -lcmocka

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(CPPFLAGS) -c $< -o $@

$(B)/%.a:
	@mkdir -p $(@D)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

# Link an executable from its prerequisites (objects and .a files, in order).
# Per-target extras: "$(target): LDLIBS += -lcmocka".
define link
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)
endef

# objs_of(sources) -> object paths
objs_of = $(patsubst %.c,$(B)/%.o,$(1))

-include $(shell find $(B) -name '*.d' 2>/dev/null)
