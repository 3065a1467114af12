#!/usr/bin/env bash
# Set up what the book and its tests need, idempotently: .venv (Python >= 3.10) with the
# packages of requirements/lock.txt (again only when it or pyproject.toml changed),
# Graphviz's `dot` (apt-get where we are root, else a message), and npm packages into
# .vendor/node: KaTeX's stylesheet and fonts, which the pages with math serve (the math
# itself is typeset at build time by sphinxcontrib-katex, in node); with --browser,
# Debian's chromium and axe-core for the browser tests; with --audit, Lighthouse too.
# Usage: tools/setup.sh [--browser | --audit]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.gradlab-setup

die() { echo "setup: $*" >&2; exit 1; }

case "${1:-}" in
  "" | --browser | --audit) ;;
  *) die "unknown option '$1' (use --browser or --audit)" ;;
esac

apt_install() {  # apt_install PACKAGE... : install Debian packages if we can, else fail
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  echo "setup: installing $* with apt-get"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } \
    >/dev/null || die "apt-get could not install $*"
}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
  || die "Python >= 3.10 is needed (tried '$PYTHON'); set PYTHON=/path/to/python3.x"
[ -x "$VENV/bin/python" ] || { echo "setup: creating $VENV"; "$PYTHON" -m venv "$VENV"; }

key=$(cat pyproject.toml requirements/lock.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$key" ]; then
  echo "setup: installing Python packages from requirements/lock.txt (first run takes a few minutes)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c requirements/lock.txt -e ".[dev]" 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$key" > "$STAMP"
fi

command -v dot >/dev/null 2>&1 || apt_install graphviz || die "Graphviz's 'dot' program is missing. Install it, then rerun:
  Debian/Ubuntu: sudo apt-get install graphviz    macOS: brew install graphviz
  conda: conda install -c conda-forge graphviz"
if [ -n "${1:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium || die "the browser tests need Debian's 'chromium' package
  (sudo apt-get install chromium); or run 'make test-fast' to skip them"
fi

# Exact versions, into .vendor/node (never committed, and outside _static, whose every
# .js Jupyter Book would put on every page).
npm_install() {  # npm_install PACKAGE@VERSION PATH-THAT-IT-PROVIDES
  [ -f ".vendor/node/node_modules/$2" ] && return 0
  command -v npm >/dev/null 2>&1 || apt_install npm \
    || die "npm is needed once, to fetch $1 (Debian/Ubuntu: sudo apt-get install npm)"
  echo "setup: fetching $1"
  mkdir -p .vendor/node
  npm install --silent --no-audit --no-fund --prefix .vendor/node "$1" >/dev/null 2>&1 \
    || die "could not fetch $1 with npm"
}
# The same KaTeX version as the one sphinxcontrib-katex 0.9.11 typesets with.
npm_install katex@0.16.22 katex/dist/katex.min.css
command -v node >/dev/null 2>&1 || apt_install nodejs \
  || die "node is needed to typeset the book's math (Debian/Ubuntu: sudo apt-get install nodejs)"
[ -z "${1:-}" ] || npm_install axe-core@4.14.1 axe-core/axe.min.js
[ "${1:-}" != "--audit" ] || npm_install lighthouse@12.8.2 lighthouse/cli/index.js
