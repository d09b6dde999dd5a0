# Every target sets itself up: a missing or outdated .venv is (re)created from
# requirements.lock before anything runs. Only python3 (3.11+) and make are needed.
#
# pyproject.toml holds the top-level pins a person edits (runtime dependencies, and the
# test, lint and build groups); `make lock` resolves them with uv into requirements.lock
# (every package, transitive ones included, at an exact version with hashes). `make install` bootstraps uv (pinned below, its own
# wheel hash-checked from requirements-tools.lock) into .tools/: scripts/bootstrap_uv.py
# takes the binary from the wheel on PyPI (about a second); where that route does not
# apply (a mirror, no wheel for the platform) python3's venv and pip install it. Then
# the lock is installed with hash checking: a download whose hash differs stops the install. Packages come from PyPI; pip's config files (which
# may name machine-local indexes) are not read for the bootstrap, and uv never
# reads them. Set UV_DEFAULT_INDEX / PIP_INDEX_URL to use a mirror.
# Bytecode is compiled at install (as pip does, and uv does not by default):
# where PYTHONDONTWRITEBYTECODE is set, every kernel, worker and test process
# would otherwise compile pandas, matplotlib, SciPy and Jupyter from source again.
PYTHON ?= python3
VENV   ?= .venv
LOCK   ?= requirements.lock
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?=
ARGS   ?=
UV_VERSION := 0.13.9
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
AXE    := node_modules/axe-core/axe.min.js
# pytest caches each test module with its assertions rewritten, and Python each module it compiles, as
# __pycache__ files (ignored by git); where PYTHONDONTWRITEBYTECODE is set, every test worker rewrote every
# test module (about 1.8 s) and every kernel and helpers process compiled the package (0.3 s) on every run
PYTEST := PYTHONDONTWRITEBYTECODE= $(PY) -m pytest
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

.DEFAULT_GOAL := help
.PHONY: help install lock report figures lint format test test-slow unit nbval lab notebooks validate search dictionary benchmark bench-tests bench-setup a11y a11y-deps clean release check-release hooks

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(UV): requirements-tools.lock scripts/bootstrap_uv.py
	@$(PYTHON) scripts/bootstrap_uv.py requirements-tools.lock $(TOOLS); status=$$?; \
	if [ $$status -eq 3 ]; then \
	  { test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS); } && \
	  PIP_CONFIG_FILE=/dev/null $(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check \
	    --require-hashes -r requirements-tools.lock; \
	elif [ $$status -ne 0 ]; then exit $$status; fi
	@touch $(UV)

$(STAMP): $(LOCK) pyproject.toml $(UV)
	@test -x $(PY) || $(UV) venv --quiet --python "$$(command -v $(PYTHON))" $(VENV)
	@$(UV) pip sync --quiet --require-hashes --compile-bytecode --python $(PY) $(LOCK) || { \
	  echo "make install: installing $(LOCK) failed (see above). A hash mismatch means a downloaded file differs" >&2; \
	  echo "from the one the lock was made from, and it was not installed: check the index in use, or run make lock" >&2; \
	  echo "if the change is intended." >&2; \
	  exit 1; }
	$(UV) pip install --quiet --no-deps --no-build-isolation --compile-bytecode --python $(PY) -e .
	@# an editable install leaves the package's own source uncompiled: each build, kernel and test process
	@# would compile it again (0.3 s) wherever PYTHONDONTWRITEBYTECODE is set
	@$(PY) -m compileall -q src
	@# the project's kernel, named for its environment (helpers.render.jobs.KERNEL_NAME), inside .venv
	@if $(PY) -c "import ipykernel" 2>/dev/null; then $(PY) -m ipykernel install --sys-prefix \
	  --name ketamine-evidence --display-name "Python 3.11 (ketamine evidence, .venv)" >/dev/null; fi
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install requirements.lock (hash-checked, with uv)

lock: $(UV) ## re-resolve pyproject.toml's pins (and its dev group) into requirements.lock, and uv's own pin
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" -o requirements.lock pyproject.toml --group dev
	echo "uv==$(UV_VERSION)" | $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" -o requirements-tools.lock -

report: $(STAMP) ## render every report into reports/ (ARGS="--condition migraine" for one)
	$(PY) -m helpers build $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm is needed for the accessibility test (apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(AXE)

a11y-deps: $(AXE) ## install axe-core from package-lock.json (npm ci) for the accessibility test

a11y: $(STAMP) $(AXE) ## full report build, then axe-core on every page and the print checks
	$(PY) -m helpers build $(if $(JOBS),--jobs $(JOBS))
	A11Y_REPORTS=reports $(PYTEST) tests/browser/test_accessibility.py $(ARGS)

lint: $(STAMP) ## ruff: lint and format check of the package, tests, scripts and notebooks
	$(VENV)/bin/ruff check --quiet .
	$(VENV)/bin/ruff format --check --quiet .

format: $(STAMP) ## ruff: format everything in place (then make notebooks if a notebook's code changed)
	$(VENV)/bin/ruff format .

# xdist's work units are test files, except that the browser tests and the notebooks each go whole to one
# worker (one Chromium, one nbval zygote); tests/conftest.py makes them and puts the longest first
test: $(STAMP) $(AXE) lint ## lint, then unit, build, browser and accessibility tests, and nbval on the committed notebooks
	$(PYTEST) -n 2 --dist loadfile --no-loadscope-reorder -m "not slow" tests notebooks --nbval --nbval-current-env \
	  --sanitize-with tests/sanitize.cfg $(ARGS)

test-slow: $(STAMP) ## the exhaustive checks make test leaves out (every shipped report built both ways); CI runs them
	$(PYTEST) -m slow tests $(ARGS)

unit: $(STAMP) ## the tests of one module at a time: no kernel, browser, process, command run or local server (in-process, seconds)
	$(PYTEST) -n 2 --dist loadfile -p no:nbval -m "not slow and not kernel and not browser and not process and not integration" tests $(ARGS)

nbval: $(STAMP) ## nbval on the committed notebooks only
	$(PYTEST) notebooks --nbval --nbval-current-env --sanitize-with tests/sanitize.cfg

lab: $(STAMP) ## open JupyterLab at the repository root, on the notebooks (ARGS="--no-browser --port 8899")
	@# figures (with their alt text) and table styles are HTML outputs, which JupyterLab shows only in a trusted
	@# notebook: the committed notebooks are this project's own, so they are trusted on this machine first
	@$(VENV)/bin/jupyter trust --log-level=WARN notebooks/*.ipynb
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(ARGS)

figures: $(STAMP) ## render every report and also write its figures as 300-dpi PNGs under reports/figures/
	$(PY) -m helpers build --figures $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

notebooks: $(STAMP) ## re-execute the committed notebooks, parameters cells reset to the defaults (for nbval)
	$(PY) -m helpers build --refresh-notebooks

release: $(STAMP) ## release the evidence: BUMP=patch|minor|major (or X.Y.Z) after a "## Unreleased" changelog entry; tags and rebuilds
	@test -n "$(BUMP)" || { echo "make release: say which part to bump, e.g. make release BUMP=minor (CHANGELOG.md says which)" >&2; exit 1; }
	$(PY) scripts/release.py $(BUMP)
	$(PY) -m helpers build $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

hooks: ## install the pre-commit hook: refuses a commit of a notebook whose parameters cell was edited
	@hook="$$(git rev-parse --git-path hooks)/pre-commit"; mkdir -p "$$(dirname "$$hook")"; \
	printf '#!/bin/sh\n# make hooks: the committed notebooks keep their defined parameters cells\nexec $(PY) scripts/check_notebooks.py --staged\n' > "$$hook"; \
	chmod +x "$$hook"; echo "installed $$hook"

check-release: $(STAMP) ## fail when data/ has changes no released version covers (CI runs it before publishing)
	$(PY) scripts/release.py --check

validate: $(STAMP) ## validate data/studies.csv (or ARGS=path/to/table.csv)
	$(PY) -m helpers validate $(ARGS)

search: $(STAMP) ## run the search strategies again and queue new records for screening (ARGS="--source pubmed --since 2026-11-01")
	$(PY) -m helpers search $(ARGS)

dictionary: $(STAMP) ## regenerate data/README.md from data/schema.json
	$(PY) -m helpers dictionary

benchmark: $(STAMP) ## time the build against the naive papermill+nbconvert loop
	$(PY) benchmarks/bench_build.py $(ARGS)

bench-tests: ## on a fresh clone: the cold build, make unit and make test, and their ratios (benchmarks/results/tests.json)
	$(PYTHON) benchmarks/bench_tests.py $(ARGS)

bench-setup: ## time make install from a fresh clone against venv + pip install of the top-level pins
	$(PYTHON) benchmarks/bench_setup.py $(ARGS)

clean: ## remove build output (keeps .venv)
	rm -rf reports/*.html reports/figures reports/tables reports/_failed reports/.build-state.json \
	  reports/references.* reports/article_citations_not_located.*
