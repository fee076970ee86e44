# The two commands of README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup system run test lint constraints bench clean

setup: $(STAMP)

# The versions in constraints.txt are the ones the suite ran with; the Docker image uses them too.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

# What the suite needs from the machine: packages (as root), Compose v2, PostgreSQL and Redis.
system:
	bash scripts/setup-system.sh

# Serve http://127.0.0.1:5000 with a grading worker and a demo course; no servers needed.
run: setup
	$(PY) scripts/run.py

test: system setup
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

# After changing dependencies: pin what a fresh install resolves, then run make test.
constraints:
	rm -rf build/constraints-venv
	$(PYTHON) -m venv build/constraints-venv
	build/constraints-venv/bin/pip install --quiet --upgrade pip
	build/constraints-venv/bin/pip install --quiet -e '.[test]'
	{ sed -n '1,2p' constraints.txt; build/constraints-venv/bin/pip freeze --exclude-editable; } \
		> constraints.new && mv constraints.new constraints.txt
	rm -rf build/constraints-venv

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
