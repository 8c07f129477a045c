# revops — `make demo` runs the main job on a sample company; `make test` runs the tests.
GO       ?= go
TAGS     := duckdb_arrow
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/revops
# BENCH_SCALE scales the benchmark data (1 = the full 10 M rows; 0.1 = a quick run).
BENCH_SCALE ?= 1

.PHONY: build test demo bench lint clean

build:
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/revops

test:
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -race -count=1 -timeout 15m ./...

demo: build
	./$(BIN) demo --force

bench:
	$(GO) build -tags $(TAGS) -o bin/revops-bench ./cmd/revops-bench
	./bin/revops-bench -scale $(BENCH_SCALE) -out target/bench.jsonl

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...

clean:
	rm -rf bin target revops-demo
