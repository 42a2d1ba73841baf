# Two commands: `make run` and `make test`. Both create .venv and install the project on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch: a plain `torch` requirement would pull several GB of CUDA libraries.
	$(PY) -m pip install -q torch==2.13.0 || $(PY) -m pip install -q torch
	$(PY) -m pip install -q -e '.[dev,cluster,postgres]'  # cluster: Ray; postgres: the class board's PostgreSQL tests
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/gan-classroom serve --server.port $(PORT)

test: $(VENV)/.installed
	$(PY) -m pytest -q

test-fast: $(VENV)/.installed
	$(PY) -m pytest -q -m "not browser"

bench: $(VENV)/.installed
	$(PY) -m gan_core bench

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
