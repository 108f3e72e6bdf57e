# Two commands do everything on a fresh clone:
#   make agents   create .venv if needed, install, regenerate agents/
#   make test     drift check of agents/, layer contracts, then the whole test suite
# And a long one:
#   make fuzz     the fault-injection suite on a thousand generated catalogs (minutes)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: agents test check bench lint clean fuzz package

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# The handoff graph in README.md (between its assembler graph markers; tests/test_graph.py checks it).
agents: $(STAMP)
	$(BIN)/assembler build
	$(BIN)/assembler graph --output README.md

check: $(STAMP)
	$(BIN)/assembler check

lint: $(STAMP)
	$(BIN)/assembler lint

# lint-imports checks the layer contracts in pyproject.toml ([tool.importlinter]).
# pytest exits 5 when it collects no tests: that is a failure, not a green run.
test: $(STAMP)
	$(BIN)/assembler check
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	exit $$status

# The catalogs tests/test_faults.py generates, many more of them and new ones each run
# (ASSEMBLER_FAULTS=fuzz; `make test` runs a fixed few dozen), and the SIGKILL tests.
fuzz: $(STAMP)
	ASSEMBLER_FAULTS=fuzz $(BIN)/python -m pytest tests/test_faults.py tests/test_kill.py \
	  --hypothesis-show-statistics

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .hypothesis

# Builds the wheel and the sdist (python -m build, setuptools from the package index)
# and runs the installed wheel in a fresh virtual environment: tests/test_package.py.
package: $(STAMP)
	$(BIN)/python -m pytest -m package tests/test_package.py

# Times whole processes on generated catalogs of 40, 1,000 and 10,000 agents
# (about six minutes) and rewrites the generated part of BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# Loads files in the real clients (conformance/README.md): installs the pinned
# clients once (about 2 GB under ~/.cache/agent-assembler/clients), proves each
# driver can fail on conformance/fixtures/bad, builds the example catalog,
# conformance/catalogs/every-field and a catalog imported from every tool's format
# into build/conformance/, runs every client over them and Claude Code over
# CONFORMANCE_PLUGIN, a Claude plugin root (by default the example catalog built
# as a plugin with assembler build --plugin), then checks `assembler import`
# against Claude Code's own frontmatter reader.
CONFORMANCE_OUT    ?= build/conformance
CONFORMANCE_PLUGIN ?= $(CONFORMANCE_OUT)/plugin

.PHONY: conformance
conformance: $(STAMP)
	$(PYTHON) conformance/install.py
	$(PYTHON) conformance/selftest.py
	mkdir -p $(CONFORMANCE_OUT)
	$(BIN)/python conformance/catalogs.py $(CONFORMANCE_OUT)/projects > $(CONFORMANCE_OUT)/projects.txt
	rm -rf $(CONFORMANCE_OUT)/plugin
	ASSEMBLER_NO_CACHE=1 $(BIN)/assembler build --root $(CONFORMANCE_OUT)/projects/example \
	  --plugin $(CONFORMANCE_OUT)/plugin
	$(PYTHON) conformance/run.py $$(cat $(CONFORMANCE_OUT)/projects.txt) \
	  $(if $(CONFORMANCE_PLUGIN),--plugin $(CONFORMANCE_PLUGIN)) --out $(CONFORMANCE_OUT)/report.json
	$(BIN)/python conformance/import_check.py
