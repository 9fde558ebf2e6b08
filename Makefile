# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out
# `make test` runs every tier (unit, integration, office: tests/conftest.py) in parallel pytest-xdist workers, one per
# CPU (make test TEST_WORKERS=1 for fewer); each test module runs whole in one worker (--dist loadfile), so a module
# fixture (a LibreOffice conversion, the wheel) is made once
TEST_WORKERS ?= auto

.PHONY: demo test test-fast lint bench docs clean

# The install's messages go to .venv/install.log and are shown only if it fails: an editable install of a package
# whose folders are mapped (package-dir) always has setuptools print an "Editable installation" notice.
$(BIN)/ofsted-tracker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	$(BIN)/python -m pip install --quiet -e '.[test]' >> $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	touch $@

demo: $(BIN)/ofsted-tracker
	$(BIN)/ofsted-tracker demo --out $(OUT)

test: $(BIN)/ofsted-tracker
	XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# the unit tier alone (the rules and the plan, no files): seconds, in one process
test-fast: $(BIN)/ofsted-tracker
	XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m pytest -m unit

# ruff, configured in pyproject.toml: the lint rules, and the formatting (line length 100)
lint: $(BIN)/ofsted-tracker
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(BIN)/ofsted-tracker
	XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m bench

# The placeholder table of docs/report-template.md, generated from PLACEHOLDERS (tests/test_docs.py checks it).
docs: $(BIN)/ofsted-tracker
	$(BIN)/python -m ofsted_tracker.report_builder.placeholder_table

clean:
	rm -rf $(VENV) $(OUT)
