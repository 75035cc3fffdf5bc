# SPDX-License-Identifier: GPL-2.0-only
# validation/: VM toolchain (env/), VM runner (vmlib.py, vmrun.py), VM tests.
# Nothing to compile; `make env` provisions the toolchain into $(KVMGT_CACHE).

VALIDATION_VM_TESTS := validation/tests/vm_smoke.py validation/tests/vm_vmrun_cli.py
VM_TESTS += $(VALIDATION_VM_TESTS)
VALIDATION_INTEG_TESTS := validation/tests/test_vmlib_cmdline.py
INTEG_TESTS += $(VALIDATION_INTEG_TESTS)

.PHONY: validation validation-test
validation:
	@python3 -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' \
		validation/vmlib.py validation/vmrun.py $(VALIDATION_VM_TESTS) $(VALIDATION_INTEG_TESTS)

validation-test: validation
	@bash scripts/run-tests.sh $(foreach t,$(VALIDATION_INTEG_TESTS),integ:$(t)) \
		$(foreach t,$(VALIDATION_VM_TESTS),vm:$(t))
