# Whittle — build, demo, test, bench. Everything numeric runs from release builds.
SWIFT   ?= swift
CONFIG  ?= release
BIN     := .build/$(CONFIG)/whittle
# The tests import the modules as users do (no @testable), so `swift test` compiles them with
# the flags of `swift build` and reuses its objects: one build serves demo, test and bench.
TEST    := $(SWIFT) test -c $(CONFIG) --disable-testable-imports
# `make test` runs the test bundle itself, which prints a line as each suite and test starts and
# ends: `swift test` holds all of it back until the last test ends when its stdout is not a
# terminal (a CI log, `make test | tee`). `swift build --build-tests` compiles the tests with the
# same flags as `$(TEST)` (no testability in release), so the objects are shared.
TESTS   := .build/$(CONFIG)/WhittlePackageTests.xctest

.PHONY: all build demo test bench fuzz clean soak

all: build

build:
	$(SWIFT) build -c $(CONFIG) --product whittle

demo: build
	$(BIN) demo

test:
	$(SWIFT) build -c $(CONFIG) --build-tests
	$(TESTS)

bench: build
	$(BIN) bench
	$(BIN) bench --mlperf

# Each reader under libFuzzer + ASan for FUZZ_SECONDS (per target); crashes land in Tests/Fuzz/crashes.
FUZZ_SECONDS ?= 300
fuzz:
	Tests/Fuzz/fuzz.sh $(FUZZ_SECONDS)

# The differential tests on WHITTLE_DIFF_GRAPHS random chains and as many random residual graphs
# (default 5000 each), progress on stderr.
WHITTLE_DIFF_GRAPHS ?= 5000
soak:
	WHITTLE_DIFF_GRAPHS=$(WHITTLE_DIFF_GRAPHS) $(TEST) \
		--filter "DifferentialTests.testRandomGraphsAreBitExact|ResidualGraphTests.testRandomResidualGraphsAreBitExactOnTheHost"

clean:
	rm -rf .build
