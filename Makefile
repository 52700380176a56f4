# The two commands a newcomer types: `make run` and `make test`.
# Everything else (virtualenv, Python packages, htmx, Chromium) is installed on the way.
PY ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export OFELIA_DATA_DIR ?= $(CURDIR)/var
HTMX_VERSION := 2.0.4
HTMX := src/ofelia/static/vendor/htmx.min.js
SCORM_AGAIN_VERSION := 3.4.3
SCORM_AGAIN := src/ofelia/static/vendor/scorm-again.min.js
SIGNATURE_PAD_VERSION := 5.1.4
SIGNATURE_PAD := src/ofelia/static/vendor/signature_pad.umd.min.js
# axe-core checks accessibility from the browser tests only; it is never served.
AXE_VERSION := 4.14.1
AXE := .cache/npm/axe-core/package/axe.min.js
# Extra pytest options, e.g. `make test PYTEST_ARGS="-n 2"` or `PYTEST_ARGS="-k e2e"`.
PYTEST_ARGS ?=
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Use-Pty=0 -qq
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install lint ci system-deps browser vendor clean

# Re-installed whenever pyproject.toml changes (new dependency, new console script).
$(VENV)/.installed: pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 ou plus récent est requis ($(PY) est trop ancien)." >&2; exit 1; }
	@[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(VENV)/.installed vendor system-deps

# WeasyPrint subsets fonts with HarfBuzz when Debian's libharfbuzz-subset0 is there, five
# times faster than its fontTools fallback (convention PDF 370 → 75 ms); best effort.
system-deps:
	@ls /usr/lib/*/libharfbuzz-subset.so.0 /lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || { \
	  echo "Installation de libharfbuzz-subset0 (paquet Debian, PDF plus rapides)…"; \
	  { $(SUDO) $(APT_GET) update && $(SUDO) $(APT_GET) install -y libharfbuzz-subset0 >/dev/null; } || \
	  echo "libharfbuzz-subset0 non installé : les PDF restent justes, mais plus lents." >&2; }

# htmx, the scorm-again SCORM runtime and signature_pad come from the npm registry at set-up;
# none is committed.
vendor: $(HTMX) $(SCORM_AGAIN) $(SIGNATURE_PAD)
$(HTMX):
	mkdir -p $(dir $(HTMX)) .cache/npm
	cd .cache/npm && npm pack --silent htmx.org@$(HTMX_VERSION) >/dev/null
	tar -xzf .cache/npm/htmx.org-$(HTMX_VERSION).tgz -C .cache/npm package/dist/htmx.min.js
	cp .cache/npm/package/dist/htmx.min.js $@
$(SCORM_AGAIN):
	mkdir -p $(dir $(SCORM_AGAIN)) .cache/npm/scorm-again
	cd .cache/npm/scorm-again && npm pack --silent scorm-again@$(SCORM_AGAIN_VERSION) >/dev/null
	tar -xzf .cache/npm/scorm-again/scorm-again-$(SCORM_AGAIN_VERSION).tgz -C .cache/npm/scorm-again package/dist/scorm-again.min.js
	cp .cache/npm/scorm-again/package/dist/scorm-again.min.js $@

# signature_pad (drawn signatures of the attendance sheets), also fetched at set-up.
$(SIGNATURE_PAD):
	mkdir -p $(dir $(SIGNATURE_PAD)) .cache/npm/signature_pad
	cd .cache/npm && npm pack --silent signature_pad@$(SIGNATURE_PAD_VERSION) >/dev/null
	tar -xzf .cache/npm/signature_pad-$(SIGNATURE_PAD_VERSION).tgz -C .cache/npm/signature_pad package/dist/signature_pad.umd.min.js
	cp .cache/npm/signature_pad/package/dist/signature_pad.umd.min.js $@

$(AXE):
	mkdir -p .cache/npm/axe-core
	cd .cache/npm/axe-core && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	tar -xzf .cache/npm/axe-core/axe-core-$(AXE_VERSION).tgz -C .cache/npm/axe-core package/axe.min.js

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installation de Chromium (paquet Debian)…"; \
	  $(SUDO) $(APT_GET) update && $(SUDO) $(APT_GET) install -y chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { echo "Chromium n'a pas pu être installé." >&2; exit 1; }

# The demo as production serves it: gunicorn, static files by WhiteNoise, no debug pages
# (`make run DJANGO_DEBUG=true` shows them, with the development server's reloading).
run: install
	$(BIN)/ofelia migrate --noinput
	$(BIN)/ofelia demo
	$(BIN)/ofelia collectstatic --noinput --verbosity 0
	@echo ""
	@echo "Ofelia tourne sur http://127.0.0.1:8000  (identifiants de démonstration ci-dessus)"
	@if [ "$$(echo "$${DJANGO_DEBUG:-}" | tr A-Z a-z)" = true ]; then \
	  $(BIN)/ofelia runserver 127.0.0.1:8000; \
	else \
	  DJANGO_SETTINGS_MODULE=ofelia.config.settings.local $(BIN)/gunicorn ofelia.config.wsgi \
	    --bind 127.0.0.1:8000 --workers 1 --threads 4 --access-logfile -; \
	fi

# The whole suite: unit, browser (e2e) and real-worker tests. pytest's summary line is the
# last thing printed; "no test collected" (exit 5) is a failure, not a success.
test: install browser $(AXE)
	@$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "Aucun test collecté : échec." >&2; exit 1; fi; \
	  exit $$status

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

ci:
	.ci/run

clean:
	rm -rf $(VENV) var .cache .pytest_cache test-results
