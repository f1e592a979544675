#!/usr/bin/env bash
# What the browser tests need besides Python packages: Debian's Chromium (plus fonts, CJK included, for
# the panel's Chinese gloss) and React 18's UMD builds for the React-controlled fixture page. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/lib/chromium/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then
  echo "installing Debian's chromium and fonts for the browser tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation fonts-wqy-microhei >/dev/null
fi

vendor=tests/fixtures/vendor
if [ ! -f "$vendor/react-dom.production.min.js" ]; then
  echo "fetching react@18.3.1 and react-dom@18.3.1 from npm for the fixture pages" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent react@18.3.1 react-dom@18.3.1 >/dev/null)
  mkdir -p "$vendor"
  for pkg in react react-dom; do
    rm -rf "$tmp/package"
    tar -xzf "$tmp/$pkg-18.3.1.tgz" -C "$tmp"
    cp "$tmp/package/umd/$pkg.production.min.js" "$vendor/"
  done
  rm -rf "$tmp"
fi
