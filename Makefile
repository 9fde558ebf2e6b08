# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test bench clean

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

clean:
	rm -rf $(VENV) $(OUT)
