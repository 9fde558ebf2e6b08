# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test bench docs clean

$(BIN)/ofsted-tracker: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/ofsted-tracker
	$(BIN)/ofsted-tracker demo --out $(OUT)

test: $(BIN)/ofsted-tracker
	XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m pytest

bench: $(BIN)/ofsted-tracker
	XLWINGS_LICENSE_KEY=noncommercial $(BIN)/python -m bench

# The placeholder table of docs/report-template.md, generated from PLACEHOLDERS (tests/test_docs.py checks it).
docs: $(BIN)/ofsted-tracker
	$(BIN)/python -m ofsted_tracker.report_builder.placeholder_table

clean:
	rm -rf $(VENV) $(OUT)
