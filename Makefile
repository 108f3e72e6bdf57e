# Two commands do everything on a fresh clone:
#   make agents   create .venv if needed, install, regenerate agents/
#   make test     drift check of agents/, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: agents test check bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

agents: $(STAMP)
	$(BIN)/assembler build

check: $(STAMP)
	$(BIN)/assembler check

lint: $(STAMP)
	$(BIN)/assembler lint

# pytest exits 5 when it collects no tests: that is a failure, not a green run.
test: $(STAMP)
	$(BIN)/assembler check
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	exit $$status

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis

# Times whole processes on generated catalogs of 40, 1,000 and 10,000 agents
# (about four minutes) and rewrites the generated part of BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# Loads files in the real clients (conformance/README.md): installs the pinned
# clients once (about 2 GB under ~/.cache/agent-assembler/clients), proves each
# driver can fail on conformance/fixtures/bad, then runs every client over each
# folder of CONFORMANCE_PROJECTS (and CONFORMANCE_PLUGIN, a Claude plugin root,
# when set). Point CONFORMANCE_PROJECTS at the generated catalog's project folder.
CONFORMANCE_PROJECTS ?= conformance/fixtures/good
CONFORMANCE_PLUGIN   ?=

.PHONY: conformance
conformance:
	$(PYTHON) conformance/install.py && $(PYTHON) conformance/selftest.py && \
	$(PYTHON) conformance/run.py $(CONFORMANCE_PROJECTS) $(if $(CONFORMANCE_PLUGIN),--plugin $(CONFORMANCE_PLUGIN))
