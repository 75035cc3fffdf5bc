# SPDX-License-Identifier: GPL-2.0-only
# KVMGT top-level build. GNU make; kbuild only for host/kvmgt.
#
# Every component ships a module.mk that appends to the lists below; this
# file only holds the shared rules and the user-facing targets.

.DEFAULT_GOAL := all
SHELL := /bin/bash

B       ?= build/out
CACHE   ?= $(if $(KVMGT_CACHE),$(KVMGT_CACHE),$(CURDIR)/build/cache)
export KVMGT_CACHE := $(CACHE)
export KVMGT_BUILD := $(abspath $(B))

include mk/common.mk

# Lists filled by module.mk files.
LIBS        :=
BINS        :=
UNIT_TESTS  :=
INTEG_TESTS :=
VM_TESTS    :=
BENCHES     :=
FUZZERS     :=

MODULES := $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))
include $(MODULES)

.PHONY: all deps run test unit integ vmtest check bench fuzz clean env help

# Integration and VM tests that are built programs (under $(B)) are built too.
all: $(LIBS) $(BINS) $(UNIT_TESTS) $(BENCHES) $(filter $(B)/%,$(INTEG_TESTS) $(VM_TESTS))

help:
	@sed -n 's/^## //p' mk/help.txt

deps:
	@bash mk/deps.sh

env: deps
	@bash validation/env/provision.sh

## make run: the main job (see README.md)
run: deps env all
	@bash scripts/run.sh

## make test: every test, unit, integration and VM
test: deps env all
	@bash scripts/run-tests.sh \
		$(foreach t,$(UNIT_TESTS),unit:$(t)) \
		$(foreach t,$(INTEG_TESTS),integ:$(t)) \
		$(foreach t,$(VM_TESTS),vm:$(t))

unit: all
	@bash scripts/run-tests.sh $(foreach t,$(UNIT_TESTS),unit:$(t))

integ: all
	@bash scripts/run-tests.sh $(foreach t,$(INTEG_TESTS),integ:$(t))

vmtest: env all
	@bash scripts/run-tests.sh $(foreach t,$(VM_TESTS),vm:$(t))

## make check: the unit tests again under ASan+UBSan (separate build tree)
check: deps
	@$(MAKE) --no-print-directory B=build/asan SAN=1 unit

## make bench: JSON results under build/bench/
bench: deps all
	@mkdir -p $(B)/bench
	@set -e; for b in $(BENCHES); do \
		n=$$(basename $$b); echo "bench: $$n"; \
		$$b --out $(B)/bench/$$n.json; \
	done
	@echo "bench results in $(B)/bench/"

## make fuzz: every fuzzer for FUZZ_SECONDS each (clang libFuzzer)
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory B=build/fuzz CC=clang FUZZ=1 fuzz-run

fuzz-run: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do \
		src=$${f#$(B)/}; corpus=$(B)/corpus/$$(basename $$f); mkdir -p $$corpus; \
		seeds=; [ -d $$src.seeds ] && seeds=$$src.seeds; \
		echo "fuzz: $$src for $(FUZZ_SECONDS)s"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			$$corpus $$seeds > $(B)/$$(basename $$f).log 2>&1 || \
			{ tail -n 40 $(B)/$$(basename $$f).log; exit 1; }; \
		grep -E '^(Done|#[0-9]+ +DONE)' $(B)/$$(basename $$f).log | tail -n 1; \
	done

clean:
	rm -rf build/out build/asan build/fuzz build/bench
