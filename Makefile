# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
VENV      ?= .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
PYTHON    ?= python3

.PHONY: run test lint typecheck bench-backbone bench-directory bench-loop bench-flood bench-audit-chain bench-portal bench-alerts bench-tracing contracts clean venv simulate browser faults

venv: $(STAMP)

# uv installs the whole dependency set in seconds instead of minutes; pip bootstraps it.
$(STAMP): pyproject.toml
	@echo "==> preparing $(VENV) (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv
	@$(PY) -m uv pip install -q --python $(PY) -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	@$(VENV)/bin/warmlink dev

# Unbuffered: a run cut short (CI's limit) still shows the last test that started.
test: $(STAMP) lint typecheck browser
	@PYTHONUNBUFFERED=1 $(PY) -m pytest $(PYTEST_ARGS)

# The browser tests drive Debian's chromium through Playwright (no browser download). Installed
# once (we run as root); if it cannot be, the browser test fails saying so rather than skipping.
CHROMIUM  ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "==> installing chromium for the browser tests (once)"; \
	  apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } || \
	  echo "!! could not install chromium: tests/e2e/test_e2e_dashboard.py will fail"; }

lint: $(STAMP)
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	@echo "==> mypy"
	@$(VENV)/bin/mypy warmlink contracts services tools

simulate: $(STAMP)
	@$(VENV)/bin/warmlink simulate

bench-backbone: $(STAMP)
	@$(VENV)/bin/warmlink bench backbone

bench-directory: $(STAMP)
	@$(VENV)/bin/warmlink bench directory

bench-loop: $(STAMP)
	@$(VENV)/bin/warmlink bench loop

bench-flood: $(STAMP)
	@$(VENV)/bin/warmlink bench flood

bench-audit-chain: $(STAMP)
	@$(VENV)/bin/warmlink bench audit-chain

bench-portal: $(STAMP)
	@$(VENV)/bin/warmlink bench portal

bench-alerts: $(STAMP)
	@$(VENV)/bin/warmlink bench alerts

bench-tracing: $(STAMP)
	@$(VENV)/bin/warmlink bench tracing

# The fault campaign (docs/operations.md): FAULTS faults with SEED, then the checks.
FAULTS ?= 50
SEED   ?= 1
faults: $(STAMP)
	@$(VENV)/bin/warmlink faults run --faults $(FAULTS) --seed $(SEED)

contracts: $(STAMP)
	@$(PY) -m contracts.generate
	@$(PY) -m tools.dev.openapi
	@$(PY) -m tools.deploy.strimzi
	@$(PY) -m tools.deploy.cnpg

clean:
	rm -rf $(VENV) .warmlink .pytest_cache .mypy_cache .ruff_cache
