# Every target sets itself up: a missing or outdated .venv is (re)created from
# requirements.txt before anything runs. Only python3 (3.11+) and make are needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?=
ARGS   ?=

.DEFAULT_GOAL := help
.PHONY: help install report test unit nbval lab notebooks validate dictionary benchmark clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned set

report: $(STAMP) ## render every report into reports/ (ARGS="--condition migraine" for one)
	$(PY) -m helpers build $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

test: $(STAMP) ## unit tests, nbval on the committed notebooks, report build smoke test
	$(PY) -m pytest -n 2 --dist loadfile tests notebooks --nbval --nbval-current-env --sanitize-with tests/sanitize.cfg $(ARGS)

unit: $(STAMP) ## unit tests only (fast)
	$(PY) -m pytest tests $(ARGS)

nbval: $(STAMP) ## nbval on the committed notebooks only
	$(PY) -m pytest notebooks --nbval --nbval-current-env --sanitize-with tests/sanitize.cfg

lab: $(STAMP) ## open the notebooks in JupyterLab
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

notebooks: $(STAMP) ## re-execute the committed notebooks with default parameters (for nbval)
	$(PY) -m helpers build --refresh-notebooks

validate: $(STAMP) ## validate data/studies.csv (or ARGS=path/to/table.csv)
	$(PY) -m helpers validate $(ARGS)

dictionary: $(STAMP) ## regenerate data/README.md from data/schema.json
	$(PY) -m helpers dictionary

benchmark: $(STAMP) ## time the build against the naive papermill+nbconvert loop
	$(PY) benchmarks/bench_build.py $(ARGS)

clean: ## remove build output (keeps .venv)
	rm -rf reports/*.html reports/figures reports/tables reports/_failed reports/.build-state.json
