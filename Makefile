# Whittle — build, demo, test, bench. Everything numeric runs from release builds.
SWIFT   ?= swift
CONFIG  ?= release
BIN     := .build/$(CONFIG)/whittle

.PHONY: all build demo test bench clean

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

clean:
	rm -rf .build
