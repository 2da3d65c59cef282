# Virtual fitting room: `make demo` and `make test` install what is missing, then run.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BLENDER5_VENV := .cache/blender5
BLENDER5_STAMP := $(BLENDER5_VENV)/.installed
# libegl1 + Mesa (libegl-mesa0, libgl1-mesa-dri): headless pyrender for synthetic training images;
# redis-server: the render farm's broker (the farm tests start their own on a free port);
# wrk: the HTTP load generator of make bench-api; chromium: the widget's browser test (and
# fonts-wqy-microhei: Chinese glyphs in its zh-CN screenshots);
# postgresql: the job store's and the storefront's tests on PostgreSQL (they start their own server)
APT_PACKAGES := libegl1 libegl-mesa0 libgl1-mesa-dri libgl1 libxrender1 libxi6 libsm6 libxkbcommon0 libxxf86vm1 libxfixes3 redis-server wrk chromium fonts-wqy-microhei postgresql
export ANNY_CACHE_DIR ?= $(CURDIR)/.cache/anny

.PHONY: demo test docs install lock system-deps bench-stages bench-fit bench-data train-shape train-segmenter train-drape bench-bodies bench-avatar bench-size bench-gates bench-drape bench-imports bench-addon bench-farm bench-api bench-instant bench-render build clean

demo: $(STAMP)
	$(BIN)/tryon run examples/demo_job.yaml --out out/demo

test: $(STAMP) $(BLENDER5_STAMP)
	$(BIN)/python -m pytest -q tests

# Blender 5.x for the extension's test (tests/test_blender5.py): bpy 5.0 in an environment of its
# own holding only bpy and what it needs (requirements-blender5.lock); the add-on comes from the
# built zip and talks to the project's engine.
$(BLENDER5_STAMP): requirements-blender5.lock
	test -x $(BLENDER5_VENV)/bin/python || $(PYTHON) -m venv $(BLENDER5_VENV)
	$(BLENDER5_VENV)/bin/pip install -q --require-hashes -r requirements-blender5.lock
	touch $(BLENDER5_STAMP)

# The documentation site (docs/, mkdocs.yml) into out/site; broken links or anchors fail it.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet

install: $(STAMP)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then echo "apt-get install$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

# Installs exactly what requirements.lock holds (pip-compile --generate-hashes over pyproject's
# ranges; torch is the CPU wheel on this disk), then the project itself, editable.
# obp 0.4.1 only for the Open Bandit Dataset sample its wheel ships (its own pins clash: --no-deps)
$(STAMP): requirements.lock requirements-nodeps.lock pyproject.toml Makefile recommender/widget/package-lock.json | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements-nodeps.lock
	rm -rf tryon.egg-info  # an old build's metadata here would hide the entry points below
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	cd recommender/widget && npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

# Refresh the lock files to the newest releases that pyproject.toml allows, and say what changed.
# pip-tools runs in an environment of its own, so the project's holds only what it locks.
LOCK_VENV := .cache/lock-venv
LOCK_FLAGS := --quiet --generate-hashes --extra test --strip-extras --allow-unsafe --upgrade \
	--no-emit-index-url --no-emit-find-links
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install -q pip-tools==7.7.0; }
	@mkdir -p .cache/lock && rm -f .cache/lock/*.whl
	@cp requirements.lock .cache/lock/before.lock 2>/dev/null || touch .cache/lock/before.lock
	$(LOCK_VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements.lock pyproject.toml \
	  2> .cache/lock/pip-compile.log || { tail -5 .cache/lock/pip-compile.log; exit 1; }
	$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --upgrade \
	  --no-emit-index-url --no-emit-find-links -o requirements-blender5.lock requirements-blender5.in
	$(LOCK_VENV)/bin/pip download -q --no-deps -d .cache/lock obp==0.4.1
	@echo "obp==0.4.1 --hash=sha256:$$(sha256sum .cache/lock/obp-0.4.1-*.whl | cut -d' ' -f1)" \
	  > requirements-nodeps.lock
	@grep -hoE '^[A-Za-z0-9_.-]+==[^ ]+' .cache/lock/before.lock | sort > .cache/lock/before.pins
	@grep -hoE '^[A-Za-z0-9_.-]+==[^ ]+' requirements.lock | sort > .cache/lock/after.pins
	@changes=$$(diff .cache/lock/before.pins .cache/lock/after.pins | grep '^[<>]'); \
	  if [ -z "$$changes" ]; then echo "requirements.lock: no change"; \
	  else echo "requirements.lock changed (< before, > now):"; echo "$$changes"; fi

bench-stages: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_stages.py

# Fit quality on the development photos in ../shared/assets/photos (not shipped with the repo).
bench-fit: $(STAMP)
	$(BIN)/python tests/benchmarks/eval_fit_photos.py

# Synthetic people (data/synthetic): in close-fitting clothes, a train split (raster renders) and
# held-out test splits (Cycles; `test` in the A-pose, `standing_test` in the dressed people's
# stances), about 2 h for the three on 2 CPU cores; dressed in the project's
# own draped garments (bodies shaped like ANSUR II's adults), about 20 s per person per core
# here (DRESSED_TRAIN=4000 is about 11 h on 2 cores; drapes run on the GPU when there is one),
# and DRESSED_PAIRS people, each body twice (fitted, then loose) for the consistency benchmark.
# Resumable: re-run to go on. Samples measured by an older MEASUREMENT_VERSION are re-measured
# from their stored parameters (no re-render).
SYNTHETIC := data/synthetic
DRESSED_TRAIN ?= 4000
DRESSED_TEST ?= 150
DRESSED_PAIRS ?= 40
bench-data: $(STAMP)
	$(BIN)/python -m render_farm.synthetic_data --split train --count 12000 --out $(SYNTHETIC) --workers 2
	$(BIN)/python -m render_farm.synthetic_data --split test --count 150 --out $(SYNTHETIC) --workers 2
	$(BIN)/python -m render_farm.synthetic_data --split standing_test --count 150 --out $(SYNTHETIC) --workers 2
	$(BIN)/python -m render_farm.synthetic_data --split dressed_test --count $(DRESSED_TEST) --out $(SYNTHETIC) --workers 2
	$(BIN)/python -m render_farm.synthetic_data --split dressed_pairs --count $(DRESSED_PAIRS) --out $(SYNTHETIC) --workers 2
	$(BIN)/python -m render_farm.synthetic_data --split dressed_train --count $(DRESSED_TRAIN) --out $(SYNTHETIC) --workers 2

# Train the shape network on the train and dressed_train splits; writes
# neural/shape_net/weights/shape_net.{pt,json}. SHAPE_INIT=<weights> starts from earlier weights.
SHAPE_INIT ?=
train-shape: $(STAMP)
	$(BIN)/python -m neural.shape_net.train --data $(SYNTHETIC) $(if $(SHAPE_INIT),--init $(SHAPE_INIT))

# Train the clothing segmenter (skin, garment, hair, accessory per pixel) on the dressed train
# split; writes neural/segmenter/weights/segmenter.{pt,json}.
train-segmenter: $(STAMP)
	$(BIN)/python -m neural.segmenter.train --data $(SYNTHETIC)

# Train the learned drapes (issue 27) on Newton drapes of every garment kind over sampled bodies
# (DRAPES per kind + 20 held out; about 3 s a drape with 2 workers here, 10 min a kind at 150).
# Writes neural/drape/weights/<kind>.npz and a report beside it. Resumable: out/train_drape.
DRAPES ?= 150
KINDS ?= tshirt,shirt,hoodie,jacket,trousers,jeans,skirt,dress
train-drape: $(STAMP)
	$(BIN)/python -m neural.drape.train_drape --kinds $(KINDS) --drapes $(DRAPES) --workers $(WORKERS)

# How the dressed splits' body sampler covers ANSUR II's 6,068 adults, by sex (needs ../shared).
bench-bodies: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_body_coverage.py

# Measurement accuracy on the held-out test splits: network + fit vs fit alone, front / front+side;
# the dressed split is reported by looseness, also with the renderer's true labels; the pairs give
# one body's fitted-vs-loose consistency. Then every split's rows calibrate avatar.json's
# per-measurement intervals (each split's coverage also when only the others calibrate).
bench-avatar: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_avatar.py --data $(SYNTHETIC)
	$(BIN)/python tests/benchmarks/bench_avatar.py --data $(SYNTHETIC) --split standing_test
	$(BIN)/python tests/benchmarks/bench_avatar.py --data $(SYNTHETIC) --split dressed_test --true-labels
	$(BIN)/python tests/benchmarks/bench_avatar.py --data $(SYNTHETIC) --split dressed_pairs --no-baseline
	$(BIN)/python tests/benchmarks/calibrate_intervals.py

# Size advice vs the size chart's own rule on sampled bodies clearly inside one size (drapes on
# the CPU; about 1 min per body here). Resumable: work kept in out/bench_size.
bench-size: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_size.py

# Quality gates of every built-in garment and size on bodies made for that size (20 per size:
# up to 960 drapes, about 80 min on this 2-core CPU with 2 workers; BODIES=2 for a quick look,
# 10 min). SEEDS bodies are sampled and sorted into sizes. Resumable: out/bench_gates.
BODIES ?= 20
WORKERS ?= 2
SEEDS ?= 3000
bench-gates: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_gates.py --bodies $(BODIES) --workers $(WORKERS) --seeds $(SEEDS)

# This project's cloth against Blender's cloth modifier: t-shirt, trousers and dress on a slim, an
# average and a heavy body, both on the CPU (about 10 min here). Resumable: out/bench_drape.
bench-drape: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_drape.py

# Garments made elsewhere (tests/data/corpus: patterns and meshes from outside sources, and the
# meshes' posed variants) draped on six bodies of both sexes, pass rates per source (about 15 min
# here). Resumable: out/bench_imports.
bench-imports: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_imports.py

# How long the Blender extension holds Blender's UI thread while it fits and drapes, against
# an operator that waits for the engine (about 3 min here).
bench-addon: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_addon.py

# The render farm: the same lookbook (8 renders) on 1 and 2 Celery workers on a local Redis,
# throughput, scaling and scheduling overhead per task (about 6 min here).
bench-farm: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_farm.py

# The storefront API under load: gunicorn (2 workers) and wrk on loopback, the recommendations
# and catalog routes against the OpenAPI document, an avatar upload answered then fitted, and a
# burst of 50 uploads with the recommendations probed meanwhile (about 8 min).
bench-api: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_api.py

# Instant try-on (issue 27): after an upload, seconds to the avatar (detect, network + fit) and
# to a first garment draped on it, warm, on 12 held-out dressed people (bench-data's
# dressed_test split; about 3 min here).
bench-instant: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_instant.py --data $(SYNTHETIC)

# Lookbook stills (issue 28): Cycles' seconds and noise for the packshot front view at 1024 x 1536
# px, the light paths before tuning against the product's, at 32 and 64 samples (about 10 min).
bench-render: $(STAMP)
	$(BIN)/python tests/benchmarks/bench_render.py

build: $(STAMP)
	$(BIN)/python build.py

clean:
	rm -rf out dist
