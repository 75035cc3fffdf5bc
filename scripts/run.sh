#!/usr/bin/env bash
# `make run`: the main job. Grows with the project; see README.md.
set -eu
echo "run: not built yet"
