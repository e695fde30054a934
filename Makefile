# Katalog UMKM — the two commands: `make serve` (build and serve the sample catalog)
# and `make test` (install everything the tests need, then run them).
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install serve build check test lint browser schema clean lighthouse cetak gambar-cetak lock

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Only the virtualenv: `.venv/bin/umkm` (or `. .venv/bin/activate`, then `umkm`).
install: $(VENV)/.installed

serve: $(VENV)/.installed
	$(VENV)/bin/umkm bangun
	$(VENV)/bin/umkm tayangkan

build: $(VENV)/.installed
	$(VENV)/bin/umkm bangun

check: $(VENV)/.installed
	$(VENV)/bin/umkm periksa

# Debian's Chromium for the browser tests (Playwright drives it; no browser download), and its
# old headless shell, which prints the PDFs of `umkm cetak` in one process (tests/test_cetak.py).
browser:
	@{ command -v chromium && command -v chromium-headless-shell; } >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-headless-shell >/dev/null; }

# PDFs to print (README, "Untuk Dinas"): catalogs, stickers and flyers into cetak/.
cetak: $(VENV)/.installed browser
	$(VENV)/bin/umkm cetak

# The README's pictures of the printed formats (docs/cetak/*.png), from the sample catalog.
gambar-cetak: $(VENV)/.installed browser
	$(PY) benchmarks/gambar_cetak.py docs/cetak

test: $(VENV)/.installed browser
	$(VENV)/bin/ruff check generator tests benchmarks
	$(VENV)/bin/umkm skema --periksa
	$(VENV)/bin/pytest -n 2 -q

schema: $(VENV)/.installed
	$(VENV)/bin/umkm skema
	$(VENV)/bin/umkm formulir

clean:
	rm -rf site cetak .cache $(VENV) *.egg-info

# A benchmark, not a test: Lighthouse (pinned in benchmarks/lighthouse/package.json) on the sample.
lighthouse: $(VENV)/.installed browser
	cd benchmarks/lighthouse && npm ci --no-audit --no-fund
	$(PY) benchmarks/lighthouse/run.py

# The hash-locked requirements the workflows install (pip install --require-hashes): every
# dependency of pyproject.toml and the build backend, pinned with the hashes of every file PyPI
# has for that version. Run after changing dependencies; Dependabot proposes updates weekly.
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" --quiet -o requirements/lock.txt
