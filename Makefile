# Shequ: the two commands of the README are `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
VENDOR := src/shequ/static/vendor

.PHONY: demo serve install install-test assets messages system-deps lint test test-sqlite test-postgres bench clean

demo: install assets messages  ## install, create the SQLite database, load the demo, serve on :8000
	$(BIN)/shequ demo

serve: install assets messages
	$(BIN)/shequ serve

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Front-end libraries come from the npm registry and are served by the app itself: no CDN.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: install node_modules/.package-lock.json  ## the front-end files built from npm, then collected, compressed and hashed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/@picocss/pico/css/pico.min.css $(VENDOR)/pico.min.css
	node_modules/.bin/esbuild assets/echarts-shequ.js --bundle --minify --format=iife --target=es2018 \
		--legal-comments=eof --log-level=warning --outfile=$(VENDOR)/echarts.min.js
	$(BIN)/shequ collectstatic --noinput -v 0

messages: install
	@command -v msgfmt >/dev/null || bash scripts/system-deps.sh gettext
	cd src/shequ && SHEQU_DATA_DIR=$$(mktemp -d) ../../$(BIN)/shequ compilemessages -v 0

system-deps:  ## Chromium for the browser tests, CJK fonts for its screenshots, gettext
	bash scripts/system-deps.sh

lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: install-test assets messages system-deps  ## everything CI runs: lint, then the suite on SQLite and PostgreSQL
	bash scripts/test.sh

test-sqlite: install-test assets messages
	$(BIN)/pytest

bench: install-test
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) data .pytest_cache .mypy_cache .ruff_cache
