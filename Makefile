# Pull the Chain: the two commands a newcomer needs are `make book` and `make test`.
# Both set up what they need first (tools/setup.sh, idempotent and quick when done).

PY      := .venv/bin/python
JB      := .venv/bin/jupyter-book
BUILD   := $(JB) build . -n -W --keep-going
# pytest as the targets run it: bytecode cached even where the environment turns that
# off (pytest's assertion rewriting is then redone for every file on every run).
PYTEST  := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest

.DEFAULT_GOAL := help
.PHONY: help setup setup-browser setup-audit book test test-fast lint unit tool-tests html-tests browser-tests \
	claims float-paths relock clean clean-cache bench colab figures audit

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

setup:  ## create .venv, install the pinned packages, Graphviz and KaTeX
	@tools/setup.sh

setup-browser:  ## setup, plus Debian's chromium and axe-core for the browser tests
	@tools/setup.sh --browser

setup-audit:
	@tools/setup.sh --audit

book: setup  ## execute the chapters, build the HTML strictly into _build/html, the reader notebooks into _build/notebooks
	$(PY) tools/execute_chapters.py
	$(BUILD)
	$(PY) tools/chapters.py notebooks

lint: setup  ## ruff and actionlint on the workflow
	$(PY) -m ruff check code tests tools
	$(PY) -m ruff format --check code tests tools
	@if [ -x .venv/bin/actionlint ]; then .venv/bin/actionlint .github/workflows/*.yml; \
	else echo "lint: actionlint is not available on this platform; skipped"; fi

float-paths: book  ## execute the chapters on a second float path; fail if a page would show other digits
	$(PY) tools/execute_chapters.py --second-float-path
	$(PY) tools/chapters.py compare

colab: book  ## run every reader notebook in a Colab-like environment (no gradlab)
	$(PY) tools/colab_run.py

unit: setup  ## the package's unit tests
	$(PYTEST) -m "not book and not browser and not tools and not claims"

claims: setup  ## the chapters' comparative and causal sentences, re-run over other seeds (minutes)
	$(PYTEST) -m "claims and not book and not browser"

tool-tests: setup  ## unit tests of the build's tools (tools/: kernels, Sphinx extensions, notebooks)
	$(PYTEST) -m "tools and not book and not browser"

html-tests: setup  ## checks on the built HTML (after `make book`)
	$(PYTEST) -m "book and not browser"

browser-tests: setup-browser  ## every page in headless Chromium (after `make book`)
	$(PYTEST) -m browser

test-fast: lint unit claims tool-tests book html-tests  ## all but the second float path, the Colab run and the browser tests

test: test-fast float-paths colab browser-tests  ## everything CI runs: lint, unit tests, strict build, HTML and notebooks, second float path, Colab-like run, browser

figures: setup  ## write every figure of the book to _build/figures
	$(PY) -m gradlab figures --out _build/figures

audit: setup-audit book  ## per page: Lighthouse (mobile) and bytes transferred gzipped (axe: make browser-tests)
	nice -n 10 $(PY) tools/audit.py

bench: setup  ## builds, loaded build, chapters, --help and unit tests against budgets (minutes)
	$(PY) tools/bench.py

relock:  ## rewrite requirements/lock.txt with the newest versions pyproject.toml allows (torch stays 2.13.0, the CPU build)
	rm -rf _build/relock && python3 -m venv _build/relock
	_build/relock/bin/pip install --quiet "torch==2.13.0" -e ".[dev]"
	{ sed -n '1,/^# Regenerate/p' requirements/lock.txt; _build/relock/bin/pip freeze \
	  --exclude-editable | sed 's/^torch==2.13.0+cpu$$/torch==2.13.0/'; } > _build/relock.txt
	mv _build/relock.txt requirements/lock.txt && rm -rf _build/relock

clean:  ## remove the built book (keeps the execution cache)
	rm -rf _build/html _build/.doctrees

clean-cache:  ## remove the built book and the execution cache
	rm -rf _build
