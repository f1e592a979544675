#!/usr/bin/env bash
# Put `responde` on PATH: a link in BINDIR (default ~/.local/bin, the usual per-user bin directory) to the
# virtualenv's command. Says how to add BINDIR to PATH when it is not there yet.
set -euo pipefail
VENV=${1:-.venv}
BINDIR=${BINDIR:-$HOME/.local/bin}
target="$(cd "$(dirname "$VENV/bin/responde")" && pwd)/responde"
mkdir -p "$BINDIR"
ln -sfn "$target" "$BINDIR/responde"
case ":$PATH:" in
  *":$BINDIR:"*) echo "responde is on your PATH ($BINDIR/responde -> $target)" ;;
  *) echo "linked $BINDIR/responde -> $target; add $BINDIR to PATH to run \`responde\` anywhere:"
     echo "  echo 'export PATH=\"$BINDIR:\$PATH\"' >> ~/.bashrc   (zsh: ~/.zshrc), then open a new terminal" ;;
esac
