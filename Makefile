# Sløyfe: `make run` sets everything up and starts the server; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# npm ci replaces node_modules/, so this stamp inside it is gone until the install finished.
NODE_STAMP := node_modules/.sloyfe-installed
CSS_BUNDLE := engine/web/static/dist/designsystemet.css
MODELER_BUNDLE := engine/web/static/dist/modeler.js
MODELER_SOURCES := $(wildcard engine/web/assets/modeler/*)

.PHONY: run test install assets translations db demo serve lint browser-deps clean

run: install translations
	$(BIN)/sloyfe init-db
	$(BIN)/sloyfe load-demo
	SLOYFE_SHOW_DEMO_USERS=1 SLOYFE_BASE_URL="$${SLOYFE_BASE_URL:-http://$(HOST):$(PORT)}" \
		$(BIN)/sloyfe serve --host $(HOST) --port $(PORT)

test: install translations browser-deps
	$(BIN)/ruff check engine handlers scheduler tests
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium; Playwright's own browser download is not used.
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

install: $(STAMP) assets

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Designsystemet's CSS, the Inter font and the bpmn-js modeler (with modeler.css and the bpmn
# font), from the versions pinned in package-lock.json. No package's install script runs:
# esbuild finds its binary in its @esbuild/<platform> package.
assets: $(CSS_BUNDLE) $(MODELER_BUNDLE)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NODE_STAMP)

$(CSS_BUNDLE): $(NODE_STAMP) engine/web/assets/designsystemet.css
	npm run --silent build:css

$(MODELER_BUNDLE): $(NODE_STAMP) $(MODELER_SOURCES)
	npm run --silent build:modeler

translations: install
	$(BIN)/python scripts/i18n.py compile

lint: install
	$(BIN)/ruff check engine handlers scheduler tests

clean:
	rm -rf $(VENV) instance/sloyfe.db node_modules engine/web/static/dist
