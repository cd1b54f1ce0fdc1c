# The README's two commands: `make run` and `make test`. Both install what is missing first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config.yaml

.PHONY: run test setup system-deps lint bench fuzz screens clean

setup: system-deps $(STAMP)

system-deps:
	@PYTHON=$(PYTHON) bash scripts/system-deps.sh

# Pinned: pyproject.toml names our direct dependencies, constraints.txt every version.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip==26.3"
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/python -m hall.launch --config $(CONFIG)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/run_all.py

# The long API fuzz run (schemathesis, every role, ~10 minutes; bench/fuzz.py): `make test`
# runs a few examples of the same (tests/queue/web/test_fuzz_schema.py).
FUZZ_MINUTES ?= 10
fuzz: setup
	$(BIN)/python bench/fuzz.py --minutes $(FUZZ_MINUTES)

# The screen atlas: every kiosk, caller, lobby screen and web page as PNG (docs/screens/README.md).
screens: setup
	$(BIN)/python -m hall.tools.atlas --out docs/screens --findings docs/screens/findings.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
