# revops — `make demo` runs the main job on a sample company; `make test` runs the tests.
GO       ?= go
TAGS     := duckdb_arrow
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
BIN      := bin/revops
# BENCH_SCALE scales the benchmark data (1 = the full 10 M rows; 0.1 = a quick run).
BENCH_SCALE ?= 1

# stripe-mock (Stripe's OpenAPI-driven mock server) for the Stripe connector's contract tests.
STRIPE_MOCK_VERSION := v0.203.0
STRIPE_MOCK         := $(CURDIR)/bin/stripe-mock

.PHONY: build test demo bench lint clean stripe-mock pushgateway

build:
	$(GO) build -tags $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/revops

test: stripe-mock pushgateway
	$(GO) vet -tags $(TAGS) ./...
	REVOPS_STRIPE_MOCK=$(STRIPE_MOCK) $(GO) test -tags $(TAGS) -race -count=1 -timeout 15m ./...

# stripe-mock installs bin/stripe-mock unless it is already that version.
stripe-mock:
	@$(GO) version -m $(STRIPE_MOCK) 2>/dev/null | grep -Eq '^[[:space:]]+mod[[:space:]]+github.com/stripe/stripe-mock[[:space:]]+$(STRIPE_MOCK_VERSION)([[:space:]]|$$)' || \
		{ echo "installing stripe-mock $(STRIPE_MOCK_VERSION) into bin/"; \
		  GOBIN=$(CURDIR)/bin $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION); }

# pushgateway installs Debian's prometheus-pushgateway for the metrics push test when it is
# missing and this is a root shell with apt-get; best effort: without it that one test skips.
pushgateway:
	@command -v prometheus-pushgateway >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1 || \
		{ echo "installing prometheus-pushgateway (Debian)"; \
		  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-pushgateway >/dev/null 2>&1 || \
		    { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-pushgateway >/dev/null 2>&1; }; } || \
		  echo "prometheus-pushgateway could not be installed: TestMetricsPushgateway will skip"; }

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
