# envmon — the two set-up commands are `make run` and `make test`; each builds .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The suite runs in two pytest-xdist workers (the CI machine has 2 cores); TEST_WORKERS=0 runs it serially.
TEST_WORKERS ?= 2

.PHONY: run test lint format bench soak screenshots clean install

install: $(STAMP) $(NODE_STAMP)

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e . --group dev
	touch $(STAMP)

# Front-end packages the maps serve themselves (no CDN), pinned in package-lock.json; installed
# again when the lock changes or node_modules is gone (npm writes its own copy of the lock there).
$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

run: $(STAMP) $(NODE_STAMP)
	$(BIN)/envmon serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy service maps stations geodata
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m tests.bench

# Screenshots of the public map and the staff console under docs/screenshots/ (real Chromium).
screenshots: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m tests.screenshots

soak: $(STAMP)
	$(BIN)/python -m pytest tests/reliability -m slow --override-ini="addopts="

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
