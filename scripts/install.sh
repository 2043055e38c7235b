#!/usr/bin/env bash
# Install aligner into ./.venv on a fresh machine (Python 3.11, root or sudo for apt).
#   bash scripts/install.sh          # the toolkit with MT support (argostranslate, CPU torch)
#                                    # and the review app (aligner review: starlette, uvicorn)
#   bash scripts/install.sh --dev    # plus test tools, OmegaT and Chromium for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1
PYTHON=${PYTHON:-python3}

if [[ $dev == 1 ]]; then
  # OmegaT: the real CAT tool of the TMX import test; Chromium: renders report.html in a test.
  if command -v apt-get >/dev/null; then
    as_root=""; [[ $(id -u) != 0 ]] && as_root="sudo"
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends \
      omegat chromium >/dev/null
  fi
fi

[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# argostranslate depends on torch (through stanza); the CPU wheel avoids a 6 GB CUDA build.
.venv/bin/python -m pip install -q "torch==2.13.0"
extras="mt,review,scale"
[[ $dev == 1 ]] && extras="mt,review,scale,dev"
.venv/bin/python -m pip install -q -e ".[${extras}]"
echo "aligner installed in .venv ($(.venv/bin/aligner --version))"
