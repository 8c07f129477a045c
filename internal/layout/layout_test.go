// Package layout holds the test that keeps the import direction of DESIGN.md §1: extract and
// internal import nothing else of the repo; warehouse imports only extract; state only warehouse
// and extract; only cmd/ imports concrete connectors (extract/<vendor>) and engines
// (warehouse/<engine>). A vendor's fake (extract/<vendor>/fake) is not a connector: it is a
// stand-in for the vendor's servers that imports only internal/fakeapi, so the demo generator
// (internal/demo), which serves its world through the fakes, may import them.
package layout

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/revops/revops"

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-e", "-tags", "duckdb_arrow", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	allowed := map[string][]string{ // package → repo packages it may import (prefixes)
		"extract":   {"internal/"},
		"warehouse": {"extract", "internal/"},
		"state":     {"warehouse", "extract", "internal/"},
		"config":    {"internal/"},
		"internal/": {"internal/"},
		// The demo serves its world through the vendors' fakes (and imports nothing else).
		"internal/demo": {"internal/", "extract/salesforce/fake", "extract/hubspot/fake", "extract/marketo/fake", "extract/stripe/fake"},
	}
	n := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if concrete(dep) && !strings.HasPrefix(rel, "cmd/") && !strings.HasPrefix(rel, dep) {
				t.Errorf("%s imports %s: only cmd/ may import concrete connectors and engines", rel, dep)
			}
			if rules, ok := rulesFor(allowed, rel); ok && !permitted(rules, dep) {
				t.Errorf("%s imports %s; it may import only %v", rel, dep, rules)
			}
		}
	}
	if n < 5 {
		t.Fatalf("go list found only %d packages", n)
	}
}

// concrete reports whether a package is a connector or an engine (a subpackage of extract or
// warehouse other than shared test helpers).
func concrete(dep string) bool {
	for _, root := range []string{"extract/", "warehouse/"} {
		if rest, ok := strings.CutPrefix(dep, root); ok && !strings.HasSuffix(rest, "test") && !isFake(dep) {
			return true
		}
	}
	return false
}

// isFake reports whether a package is a vendor's fake server (extract/<vendor>/fake).
func isFake(dep string) bool {
	return strings.HasPrefix(dep, "extract/") && strings.HasSuffix(dep, "/fake")
}

func rulesFor(allowed map[string][]string, rel string) ([]string, bool) {
	if r, ok := allowed[rel]; ok {
		return r, true
	}
	if strings.HasPrefix(rel, "internal/") {
		return allowed["internal/"], true
	}
	return nil, false
}

func permitted(rules []string, dep string) bool {
	for _, r := range rules {
		if dep == r || (strings.HasSuffix(r, "/") && strings.HasPrefix(dep, r)) {
			return true
		}
	}
	return false
}

// The fakes themselves stay leaves: they import only internal/ packages.
func TestFakesImportOnlyInternal(t *testing.T) {
	out, err := exec.Command("go", "list", "-e", "-tags", "duckdb_arrow", "-json", module+"/extract/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	fakes := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if !isFake(rel) {
			continue
		}
		fakes++
		for _, imp := range p.Imports {
			if dep, ok := strings.CutPrefix(imp, module+"/"); ok && !strings.HasPrefix(dep, "internal/") {
				t.Errorf("%s imports %s: a fake may import only internal/", rel, dep)
			}
		}
	}
	if fakes < 3 {
		t.Fatalf("found only %d fakes", fakes)
	}
}
