# Whittle — build, demo, test, bench. Everything numeric runs from release builds.
SWIFT   ?= swift
CONFIG  ?= release
BIN     := .build/$(CONFIG)/whittle
# The tests import the modules as users do (no @testable), so `swift test` compiles them with
# the flags of `swift build` and reuses its objects: one build serves demo, test and bench.
# --parallel runs one test per process on every core and prints a line as each test ends, also
# into a pipe or a CI log (run serially, `swift test` holds XCTest's lines back until the end
# when its output is not a terminal).
SERIAL  := $(SWIFT) test -c $(CONFIG) --disable-testable-imports
TEST    := $(SERIAL) --parallel

.PHONY: all build demo test bench fuzz clean soak

all: build

build:
	$(SWIFT) build -c $(CONFIG) --product whittle

demo: build
	$(BIN) demo

test:
	$(TEST)

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
	WHITTLE_DIFF_GRAPHS=$(WHITTLE_DIFF_GRAPHS) $(SERIAL) \
		--filter "DifferentialTests.testRandomGraphsAreBitExact|ResidualGraphTests.testRandomResidualGraphsAreBitExactOnTheHost"

clean:
	rm -rf .build
