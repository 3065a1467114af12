#!/usr/bin/env bash
# Regenerate requirements/lock.txt from a fresh environment with the newest versions
# the ranges in pyproject.toml allow (torch stays at the CPU build 2.13.0).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet "torch==2.13.0" -e ".[dev]"
{
  sed -n '1,/^# Regenerate/p' requirements/lock.txt
  "$scratch/venv/bin/pip" freeze --exclude-editable | sed 's/^torch==2.13.0+cpu$/torch==2.13.0/'
} > "$scratch/lock.txt"
mv "$scratch/lock.txt" requirements/lock.txt
echo "wrote requirements/lock.txt"
