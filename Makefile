# The two commands a newcomer needs: `make run` and `make test`. Both set themselves up.
VENV      ?= .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
PYTHON    ?= python3

.PHONY: run test lint typecheck bench-backbone bench-directory bench-loop contracts clean venv

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

test: $(STAMP) lint typecheck
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	@echo "==> ruff"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	@echo "==> mypy"
	@$(VENV)/bin/mypy warmlink contracts services

bench-backbone: $(STAMP)
	@$(VENV)/bin/warmlink bench backbone

bench-directory: $(STAMP)
	@$(VENV)/bin/warmlink bench directory

bench-loop: $(STAMP)
	@$(VENV)/bin/warmlink bench loop

contracts: $(STAMP)
	@$(PY) -m contracts.generate

clean:
	rm -rf $(VENV) .warmlink .pytest_cache .mypy_cache .ruff_cache
