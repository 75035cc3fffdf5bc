#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: the main job (scripts/run.py): vgpud on the embedded softgpu,
# guests with vGPUs driven by the stock i915, screenshots, a report.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash validation/env/provision.sh
exec python3 scripts/run.py
