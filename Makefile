# Pull the Chain: the two commands a newcomer needs are `make book` and `make test`.
# Both set up what they need first (tools/setup.sh, idempotent and quick when done).

PY      := .venv/bin/python
JB      := .venv/bin/jupyter-book
BUILD   := $(JB) build . -n -W --keep-going

.DEFAULT_GOAL := help
.PHONY: help setup book test test-fast lint unit html-tests clean clean-cache bench sync

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

setup:  ## create .venv, install the pinned packages and Graphviz
	@tools/setup.sh

book: setup  ## build the HTML book strictly into _build/html
	$(BUILD)

lint: setup  ## ruff, paired notebooks in sync, actionlint on the workflow
	$(PY) -m ruff check code tests tools
	$(PY) -m ruff format --check code tests tools
	$(PY) tools/chapters.py check
	@if [ -x .venv/bin/actionlint ]; then .venv/bin/actionlint .github/workflows/*.yml; \
	else echo "lint: actionlint is not available on this platform; skipped"; fi

sync: setup  ## regenerate each chapter's set-up cell and paired .ipynb
	$(PY) tools/chapters.py sync

unit: setup  ## the package's unit tests
	$(PY) -m pytest -m "not book"

html-tests: setup  ## checks on the built HTML (after `make book`)
	$(PY) -m pytest -m book

test: lint unit book html-tests  ## everything CI runs: ruff, unit tests, strict build, HTML checks

bench: setup  ## time clean / no-op / prose-edit / package-edit builds (takes minutes)
	$(PY) tools/bench.py

clean:  ## remove the built book (keeps the execution cache)
	rm -rf _build/html _build/.doctrees

clean-cache:  ## remove the built book and the execution cache
	rm -rf _build
