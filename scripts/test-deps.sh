#!/usr/bin/env bash
# What the browser tests need besides Python packages: Debian's Chromium (plus fonts, CJK included, for
# the panel's Chinese gloss), React 18's UMD builds for the React-controlled fixture page, and the real
# editors of the insertion tests bundled from npm. Idempotent: each step runs only when its output is
# missing or stale.
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

# The real editors the insertion tests type into (Quill, TipTap, Lexical, Draft.js, Slate, CKEditor 5, Trix,
# TinyMCE, Material Web, CKEditor 4, wangEditor, Jodit, KindEditor, Summernote, React, Vue), pinned in
# tests/fixtures/editors/package-lock.json, bundled for the browser by esbuild (from npm too; stylesheets
# imported as text). CKEditor 4 and KindEditor are not modules: the page server serves their folders from
# node_modules. CKEditor 5 and TinyMCE are GPL-2.0-or-later (their "GPL" licence keys), CKEditor 4.22.1
# GPL, LGPL or MPL, KindEditor LGPL-2.1: test fixtures only, never shipped with the extension.
# Nothing built is committed: tests/fixtures/vendor/ is rebuilt here whenever it is missing or older than
# the sources.
editors=tests/fixtures/editors
stale=0
for src in "$editors"/src/*.js; do
  out="$vendor/editor-$(basename "$src")"
  if [ ! -f "$out" ] || [ "$src" -nt "$out" ] || [ "$editors/package-lock.json" -nt "$out" ]; then stale=1; fi
  for shared in "$editors"/lib/*.js; do
    if [ "$shared" -nt "$out" ]; then stale=1; fi
  done
done
[ -f "$editors/node_modules/ckeditor4/ckeditor.js" ] && [ -f "$editors/node_modules/kindeditor/kindeditor-all.js" ] || stale=1
if [ "$stale" = 1 ]; then
  echo "installing the editors from npm and bundling them for the fixture pages" >&2
  if [ ! -d "$editors/node_modules/.bin" ] || [ "$editors/package-lock.json" -nt "$editors/node_modules/.package-lock.json" ]; then
    (cd "$editors" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  mkdir -p "$vendor"
  for src in "$editors"/src/*.js; do
    "$editors/node_modules/.bin/esbuild" "$src" --bundle --minify --format=iife --log-level=warning --loader:.css=text \
      --define:process.env.NODE_ENV='"production"' --define:global=window \
      --outfile="$vendor/editor-$(basename "$src")"
  done
fi
