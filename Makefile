# Whittle — build, demo, test, bench. Everything numeric runs from release builds.
SWIFT   ?= swift
CONFIG  ?= release
BIN     := .build/$(CONFIG)/whittle

.PHONY: all build demo test bench fuzz clean soak

all: build

build:
	$(SWIFT) build -c $(CONFIG) --product whittle

demo: build
	$(BIN) demo

test:
	$(SWIFT) build -c $(CONFIG)
	$(SWIFT) test -c $(CONFIG)

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
	WHITTLE_DIFF_GRAPHS=$(WHITTLE_DIFF_GRAPHS) $(SWIFT) test -c $(CONFIG) \
		--filter "DifferentialTests.testRandomGraphsAreBitExact|ResidualGraphTests.testRandomResidualGraphsAreBitExactOnTheHost"

clean:
	rm -rf .build
