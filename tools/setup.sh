#!/usr/bin/env bash
# Set up everything the book and its tests need, idempotently:
#   1. a virtual environment in .venv (Python >= 3.10),
#   2. the package and its tools, installed through requirements/lock.txt
#      (skipped when pyproject.toml and the lock file are unchanged since last time),
#   3. Graphviz's `dot` program (installed with apt-get where we are root on Debian/Ubuntu;
#      otherwise one message saying what to install),
#   4. KaTeX's stylesheet and fonts, fetched once from the npm registry into .vendor/node
#      (never committed): sphinxcontrib-katex typesets the math at build time in node,
#      and the pages load KaTeX's stylesheet and fonts from the site (gradlab_pages.py);
#   5. with --browser: Debian's chromium and axe-core (npm, into .vendor/node) for the
#      browser tests; with --audit: also Lighthouse, for `make audit`.
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
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing $* with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } \
      >/dev/null || die "apt-get could not install $*"
  else
    return 1
  fi
}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
  || die "Python >= 3.10 is needed (tried '$PYTHON'); set PYTHON=/path/to/python3.x"

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi

key=$(cat pyproject.toml requirements/lock.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$key" ]; then
  echo "setup: installing Python packages from requirements/lock.txt (first run takes a few minutes)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c requirements/lock.txt -e ".[dev]" 2> >(grep -v "is ignored: it is neither" >&2)
  echo "$key" > "$STAMP"
fi

if ! command -v dot >/dev/null 2>&1; then
  apt_install graphviz || die "Graphviz's 'dot' program is missing. Install it, then rerun:
  Debian/Ubuntu: sudo apt-get install graphviz    macOS: brew install graphviz
  conda: conda install -c conda-forge graphviz"
fi

if [ -n "${1:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium || die "the browser tests need Debian's 'chromium' package
  (sudo apt-get install chromium); or run 'make test-fast' to skip them"
fi

# npm packages, exact versions, into .vendor/node (never committed, and outside
# _static: Jupyter Book would put every .js there on every page): KaTeX for the
# build (node comes with npm), axe-core for the browser tests, Lighthouse for the audit.
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
if [ -n "${1:-}" ]; then
  npm_install axe-core@4.14.1 axe-core/axe.min.js
fi
if [ "${1:-}" = "--audit" ]; then
  npm_install lighthouse@12.8.2 lighthouse/cli/index.js
fi
exit 0
