# captls — the one entry point. GNU make, out-of-tree into build/, -j2 safe.
#
# Conventions (new files need no Makefile edit):
#   core/**/*.c          portable core            -> $(B)/libcaptls-core.a
#   port/posix/*.c       Linux port               -> $(B)/libcaptls-posix.a
#   sim/*.c              simulator kernel         -> $(B)/libcaptls-sim.a
#   */test_*.c           cmocka unit test, one binary each -> $(B)/tests/...
#   fuzz/fuzz_*.c        libFuzzer/AFL++ harness  -> build/fuzz/{lf,afl}/...
#   <dir>/main_*.c       program entry points (listed in PROGRAMS below)
#   conformance/*.c      host-only checks        -> $(B)/libcaptls-conformance.a
# Variants share these rules through $(B): build/ (gcc, -O2) and build/asan
# (clang, ASan+UBSan), selected with `make VARIANT=asan ...`.

SHELL := /bin/bash
.DEFAULT_GOAL := all
# Objects made through pattern rules (tests, harnesses) are kept, not
# deleted as intermediates, so a second make does not rebuild them.
.SECONDARY:
PY := /usr/bin/python3

VARIANT ?= release
# BUILD_DIR moves every variant's output (parallel work trees, helpers).
BROOT := $(or $(BUILD_DIR),build)
ifeq ($(VARIANT),asan)
  B := $(BROOT)/asan
  CC := clang
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
         -fno-sanitize-recover=all
  LDSAN := -fsanitize=address,undefined
else ifeq ($(VARIANT),fuzz)
  B := $(BROOT)/fuzz/lf
  CC := clang
  OPT := -O1 -g -fno-omit-frame-pointer \
         -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
         -DCAPTLS_FUZZING
  LDSAN := -fsanitize=fuzzer,address,undefined
else ifeq ($(VARIANT),afl)
  B := $(BROOT)/fuzz/afl
  CC := afl-clang-fast
  OPT := -O1 -g -DCAPTLS_FUZZING
  LDSAN := -fsanitize=fuzzer
else
  B := $(BROOT)
  CC ?= gcc
  ifeq ($(origin CC),default)
    CC := gcc
  endif
  OPT := -O2 -g
  LDSAN :=
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wvla
CFLAGS_COMMON := -std=c11 $(WARN) -I. -D_DEFAULT_SOURCE
HOST_CFLAGS := $(CFLAGS_COMMON) $(OPT) -MMD -MP
BEARSSL_A := /usr/lib/x86_64-linux-gnu/libbearssl.a
HOST_LIBS := $(BEARSSL_A)
TEST_LIBS := -lcmocka

# ------------------------------------------------------------- sources
# (filter-out matches only one % per pattern, so test by file name)
not_tests = $(foreach f,$(1),$(if $(filter test_% main_%,$(notdir $(f))),,$(f)))
CORE_SRC  := $(call not_tests,$(shell find core -name '*.c' 2>/dev/null | sort))
POSIX_SRC := $(call not_tests,$(wildcard port/posix/*.c))
SIM_SRC   := $(call not_tests,$(wildcard sim/*.c))
CONF_SRC  := $(call not_tests,$(wildcard conformance/*.c))
TEST_SRC  := $(shell find core port/posix sim conformance -name 'test_*.c' 2>/dev/null | sort)
FUZZ_SRC  := $(wildcard fuzz/fuzz_*.c)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
CORE_LIB  := $(B)/libcaptls-core.a
POSIX_LIB := $(B)/libcaptls-posix.a
SIM_LIB   := $(B)/libcaptls-sim.a
CONF_LIB  := $(B)/libcaptls-conformance.a
ALL_LIBS  := $(SIM_LIB) $(CONF_LIB) $(POSIX_LIB) $(CORE_LIB)
# OpenSSL's libcrypto is the reference: tests, fuzzers and the benchmark
# link it, programs that ship never do (conformance/ code that calls
# OpenSSL is only pulled in by what references it).
REF_LIBS  := -lcrypto

# Programs: name -> entry file. Each links every library (static archives
# pull in only what the program uses).
PROGRAMS := captls captls-sim
PROG_captls     := port/posix/main_captls.c
PROG_captls-sim := sim/main_sim.c
# ctgrind: secrets marked undefined for valgrind (ci/ctgrind.sh)
# the telnets gateway (seed 004)
PROGRAMS += captls-telnetsd
PROG_captls-telnetsd := port/posix/main_telnetsd.c
PROGRAMS += captls-ctgrind
PROG_captls-ctgrind := conformance/main_ctgrind.c
ifneq ($(wildcard conformance/main_shim.c),)
  PROGRAMS += captls-shim
  PROG_captls-shim := conformance/main_shim.c
endif
PROG_BINS := $(addprefix $(B)/,$(PROGRAMS))

TEST_BINS := $(patsubst %.c,$(B)/tests/%,$(TEST_SRC))

# ------------------------------------------------------------- host build
.PHONY: all programs tests sim
all: programs
# Every scenario must pass and every negative twin must fail (exit 1).
# Every scenario runs; any failure fails the target (not only the last).
sim: $(B)/captls-sim
	@fail=0; n=0; for f in sim/scenarios/*.scn; do n=$$((n+1)); \
	  if $(B)/captls-sim run $$f --seed 1 >/dev/null; then echo "sim: $$f ok"; \
	  else echo "sim: $$f: FAILED (exit $$?)"; fail=$$((fail+1)); fi; done; \
	  if [ $$n -eq 0 ]; then echo "sim: no scenarios in sim/scenarios/"; exit 1; fi; \
	  if [ $$fail -ne 0 ]; then echo "sim: $$fail of $$n scenarios FAILED"; exit 1; fi
	@for f in sim/scenarios/negative/*.scn; do \
	  $(B)/captls-sim run $$f --seed 1 >/dev/null 2>&1; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "sim: $$f fails as it should"; \
	  else echo "sim: $$f: expected exit 1, got $$rc"; exit 1; fi; done
programs: $(PROG_BINS)
tests: $(TEST_BINS)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(CORE_LIB): $(call obj,$(CORE_SRC))
$(POSIX_LIB): $(call obj,$(POSIX_SRC))
$(SIM_LIB): $(call obj,$(SIM_SRC))
$(CONF_LIB): $(call obj,$(CONF_SRC))
$(ALL_LIBS):
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

# Mozilla roots (issue 5): ci/gen_roots.py turns Debian's ca-certificates
# bundle into $(B)/gen/mozilla_roots.c (package version as provenance; never
# committed). Linked into build/captls only: core/ and the guest never see it.
ROOTS_BUNDLE := /etc/ssl/certs/ca-certificates.crt
ROOTS_O := $(B)/obj/gen/mozilla_roots.o
PROG_EXTRA_captls := $(ROOTS_O)
PROG_EXTRA_captls-telnetsd := $(ROOTS_O)
$(B)/gen/mozilla_roots.c: ci/gen_roots.py $(ROOTS_BUNDLE)
	$(PY) ci/gen_roots.py $(ROOTS_BUNDLE) $@
$(ROOTS_O): $(B)/gen/mozilla_roots.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

# Public Suffix List (issue 16): ci/gen_public_suffix.py compiles Debian's
# publicsuffix list into $(B)/gen/public_suffix_table.c (package version as
# provenance; never committed). Archived into the posix library (after the
# sim and conformance ones on the link line), so every host program and
# test links it; core/ only declares the symbol and the guest never sees it
# (core/verify/public_suffix.h).
PSL_LIST := /usr/share/publicsuffix/public_suffix_list.dat
PSL_O := $(B)/obj/gen/public_suffix_table.o
$(POSIX_LIB): $(PSL_O)
$(B)/gen/public_suffix_table.c: ci/gen_public_suffix.py $(PSL_LIST)
	$(PY) ci/gen_public_suffix.py $(PSL_LIST) $@
$(PSL_O): $(B)/gen/public_suffix_table.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

define program_rule
$(B)/$(1): $(call obj,$(PROG_$(1))) $(PROG_EXTRA_$(1)) $(ALL_LIBS)
	$$(CC) $$(OPT) $$(LDSAN) -o $$@ $$< $(PROG_EXTRA_$(1)) $(ALL_LIBS) $(HOST_LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))

$(B)/tests/%: $(B)/obj/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(ALL_LIBS) $(HOST_LIBS) $(TEST_LIBS) $(REF_LIBS)

# captls-bench links OpenSSL as the reference: host-only, never shipped.
$(B)/captls-bench: $(call obj,conformance/main_bench.c) $(ALL_LIBS)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(ALL_LIBS) $(HOST_LIBS) $(REF_LIBS)

# The TLS bench also links OpenSSL's libssl (its TLS 1.3 is the reference)
# and the Mozilla roots object (port/posix/tls_options.c refers to them).
$(B)/captls-tls-bench: $(call obj,conformance/main_tls_bench.c) $(ROOTS_O) $(ALL_LIBS)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(ROOTS_O) $(ALL_LIBS) $(HOST_LIBS) -lssl $(REF_LIBS)

# The X.509 chain differential runner and the chain bench also link
# OpenSSL (X509_verify_cert is the reference).
$(B)/captls-chains-diff: $(call obj,conformance/main_chains_diff.c) $(ALL_LIBS)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(ALL_LIBS) $(HOST_LIBS) $(REF_LIBS)
$(B)/captls-chain-bench: $(call obj,conformance/main_chain_bench.c) $(ALL_LIBS)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(ALL_LIBS) $(HOST_LIBS) $(REF_LIBS) -lpthread

# The chain corpus (vectors/chains/gen_chains.py, ~20 s): generated at test
# time under build/, never committed. manifest.json is written last.
CHAINS_DIR := build/vectors/chains
$(CHAINS_DIR)/manifest.json: vectors/chains/gen_chains.py
	$(PY) $< $(CHAINS_DIR)
$(CHAINS_DIR)/cases.txt $(CHAINS_DIR)/bench.txt: $(CHAINS_DIR)/manifest.json ;
.PHONY: chains-corpus chains-diff
chains-corpus: $(CHAINS_DIR)/manifest.json
chains-diff: $(B)/captls-chains-diff $(CHAINS_DIR)/cases.txt
	$(B)/captls-chains-diff $(CHAINS_DIR)/cases.txt

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ------------------------------------------------------------- fuzzing
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(FUZZ_SRC))
.PHONY: fuzz-build fuzz-build-afl fuzz-bins fuzz-smoke fuzz
fuzz-bins: $(addprefix $(B)/bin/,$(FUZZ_NAMES))
$(B)/bin/%: $(B)/obj/fuzz/fuzz_%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(OPT) $(LDSAN) -o $@ $< $(ALL_LIBS) $(HOST_LIBS) $(REF_LIBS)

fuzz-build:
	$(MAKE) VARIANT=fuzz fuzz-bins
fuzz-build-afl:
	$(MAKE) VARIANT=afl fuzz-bins

FUZZ_SECONDS ?= 600
FUZZ ?=
fuzz-smoke: fuzz-build fuzz-build-afl
	ci/fuzz.sh smoke
fuzz: fuzz-build fuzz-build-afl
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ="$(FUZZ)" ci/fuzz.sh campaign

# ------------------------------------------------------------- guest
# (port/capos: see the guest section maintained with port/capos/)
GUEST_MK := port/capos/guest.mk
-include $(GUEST_MK)

# ------------------------------------------------------------- checks
.PHONY: deps check-core unit unit-asan pytest test demo bench clean conformance
deps:
	ci/deps.sh

check-core:
	ci/check-core.sh

unit: tests
	ci/run-unit.sh $(B)

unit-asan:
	$(MAKE) VARIANT=asan tests
	ci/run-unit.sh build/asan

pytest: programs guest guest-bridge
	$(PY) -m pytest -q pytests

test: deps
	ci/test.sh

demo: deps
	$(MAKE) all guest guest-bridge
	ci/demo.sh

# Differential tests against OpenSSL at full size (100,000 cases per
# primitive; see ci/conformance.sh) plus the shim's pytest suite.
conformance: all tests $(B)/captls-chains-diff $(CHAINS_DIR)/cases.txt
	ci/conformance.sh $(B)

bench: all guest $(B)/captls-bench $(B)/captls-chain-bench $(B)/captls-tls-bench $(CHAINS_DIR)/bench.txt
	ci/bench.sh

clean:
	rm -rf build
