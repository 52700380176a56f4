# The two commands a newcomer types: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export OFELIA_DATA_DIR ?= $(CURDIR)/var
HTMX_VERSION := 2.0.4
HTMX := src/ofelia/static/vendor/htmx.min.js

.PHONY: run test install lint system-deps browser vendor clean

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed vendor

# htmx comes from the npm registry at set-up; it is not committed.
vendor: $(HTMX)
$(HTMX):
	mkdir -p $(dir $(HTMX)) .cache/npm
	cd .cache/npm && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null
	tar -xzf .cache/npm/htmx.org-$(HTMX_VERSION).tgz -C .cache/npm package/dist/htmx.min.js
	cp .cache/npm/package/dist/htmx.min.js $@

# Debian's Chromium for the browser tests (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

run: install
	$(BIN)/ofelia migrate --noinput
	$(BIN)/ofelia demo
	@echo ""
	@echo "Ofelia tourne sur http://127.0.0.1:8000  (identifiants de démonstration ci-dessus)"
	$(BIN)/ofelia runserver 127.0.0.1:8000

test: install browser
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var .cache .pytest_cache
