# Brushstrokes: `make demo` and `make test` do all the set-up themselves.
SHELL := /bin/bash
PY := .venv/bin/python
CUDA ?= auto
# ruff leaves lessons/ (the learner's code) alone; the stubs as committed are linted from git instead
LINT := $(PY) -m ruff check . && for f in $$(git ls-files 'lessons/*.py'); do \
	git show HEAD:$$f | $(PY) -m ruff check --quiet --stdin-filename $$f - || exit 1; done

.PHONY: setup demo test test-quick lint docs serve bench doctor cuda-build-check caffe-cuda bundle device-pack device-dry-run screenshots references figures mutants clean

setup:
	@bash tools/setup/setup.sh CUDA=$(CUDA)

# Lesson 3 with the reference solutions and the defaults: the cat painted in the style of The Scream, in output/.
demo: setup
	$(PY) -m brushstrokes paint data/chelsea.png data/scream.jpg

test: setup
	$(LINT)
	$(PY) -m pytest tests/ -q
	$(PY) -m pytest checks/ -q --solutions
	$(PY) tools/dev/check_untouched_lessons.py
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

# The inner loop: the lint and the tests not marked slow (no child process, no real VGG19, no browser; tests/conftest.py)
test-quick: setup
	$(LINT)
	$(PY) -m pytest tests/ -q -m "not slow"

docs: setup
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

serve: setup
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs serve -a 127.0.0.1:8000

lint: setup
	$(LINT)

doctor: setup
	$(PY) -m brushstrokes doctor

# pycaffe vs PyTorch CPU (from its own environment, ~/.cache/brushstrokes/bench-venv): the net alone, then
# `brushstrokes paint` end to end; last line the paint ratio at 256 px
bench: setup
	$(PY) tools/dev/bench_checks.py
	$(PY) tools/dev/bench.py
	$(PY) tools/dev/bench_paint.py

# Proves the CUDA variant compiles on a machine with nvcc and no GPU (30-50 min on 2 cores: sm_80, 86, 89, 90 + PTX).
# Set CUDA_ARCH_BIN="90" for one architecture (about a quarter of the time).
cuda-build-check: setup
	time tools/caffe/build.sh $(CURDIR)/.venv/bin/python 1

# Caffe with CUDA 13 and cuDNN 9 (tools/caffe/build-cuda.sh; needs nvcc, not a GPU), cached in
# ~/.cache/brushstrokes/caffe/cuda-cudnn-<key>; sm_90 by default (CUDA_ARCH_BIN="80 86 89 90" for more).
# It does not replace the build .venv uses; `make bundle` ships it.
caffe-cuda: setup
	time tools/caffe/build-cuda.sh $(CURDIR)/.venv/bin/python

# A relocatable runtime (Python 3.11, the packages, Caffe, the Debian 12 libraries it links) for a machine
# without them: output/bundle/brushstrokes-runtime.tar.xz. Default: the caffe-cuda build; CAFFE_PREFIX=... another.
bundle: setup
	tools/gpu/bundle.sh $(CAFFE_PREFIX)

# The GPU check's payload in output/device/part1..N (tools/gpu/device_check.sh says which calls to make),
# and its dry run here, on the CPU.
device-pack: setup
	tools/gpu/device_check.sh pack
device-dry-run: device-pack
	tools/gpu/device_check.sh run --cpu

# The checks' reference outputs (checks/references/) and the docs' figures (docs/assets/figures/), from solutions/.
references: setup
	$(PY) -m tools.dev.references

figures: setup
	$(PY) tools/site/figures/lesson1.py
	$(PY) tools/site/figures/lesson2.py
	$(PY) tools/site/figures/lesson3.py
	$(PY) tools/site/figures/lesson4.py
	$(PY) tools/site/figures/inputs.py

# Mutation testing of the checks (tools/dev/mutants/): every lesson, or one with `make mutants LESSON=1`.
mutants: setup
	$(PY) -m tools.dev.mutants $(if $(LESSON),--lesson $(LESSON))

# Screenshots of the site in both languages, at 1280 px and 390 px: output/screenshots/
screenshots: setup
	$(PY) tools/site/screenshots.py
	$(PY) tools/site/screenshots.py --phone

clean:
	rm -rf output site
