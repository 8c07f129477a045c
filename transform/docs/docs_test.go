package docs

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/transform"
)

const xss = `<script>alert(1)</script>`

// testManifest is a small project: two sources, an ephemeral, a view, a table, an incremental,
// a view on top, a packaged model without parents and a model with an awkward name.
func testManifest() *transform.Manifest {
	mf := &transform.Manifest{ManifestVersion: 1, GeneratedAt: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
		RevopsVersion: "0.9.0", Project: "acme", Dialect: "duckdb",
		Nodes: map[string]transform.ManifestNode{}, Sources: map[string]transform.ManifestSource{},
		Macros: []string{"cents_to_dollars"}, ParentMap: map[string][]string{}, ChildMap: map[string][]string{}}
	addSource := func(s transform.ManifestSource) {
		s.UniqueID = "source." + s.Source + "." + s.Table
		mf.Sources[s.UniqueID] = s
	}
	addSource(transform.ManifestSource{Source: "stripe", Table: "charges", Relation: `"stripe"."charges"`,
		Description: "Charges as extracted from Stripe.", Extracted: true, Path: "revops.yaml",
		Columns: []transform.ManifestColumn{{Name: "id", DataType: "VARCHAR", Description: "Charge id."},
			{Name: "amount", DataType: "BIGINT"}},
		Checks: []transform.ManifestCheck{{ID: "source.stripe.charges.unique.id", Kind: "unique", Column: "id",
			Severity: "error", File: "models/sources.yml", Line: 7}}})
	addSource(transform.ManifestSource{Source: "crm", Table: "accounts", Relation: `"crm"."accounts"`,
		Description: "Accounts, loaded by the CRM sync.", Path: "models/sources.yml"})
	addModel := func(n transform.ManifestNode) {
		n.UniqueID, n.ResourceType = "model."+n.Name, "model"
		if n.Package == "" {
			n.Package = transform.PackageProject
		}
		if n.Config.Materialized != transform.Ephemeral {
			n.Relation = `"analytics"."` + n.Name + `"`
		}
		n.Config.Enabled, n.Config.Schema = true, "analytics"
		n.CompiledSQLHash = fmt.Sprintf("%064x", len(n.Name))
		mf.Nodes[n.UniqueID] = n
	}
	addModel(transform.ManifestNode{Name: "stg_charges", Path: "models/staging/stg_charges.sql",
		Config:      transform.Config{Materialized: transform.Ephemeral},
		DependsOn:   []string{"source.stripe.charges"},
		RawSQL:      "select * from {{ source('stripe', 'charges') }}",
		CompiledSQL: `select * from "stripe"."charges"`})
	addModel(transform.ManifestNode{Name: "stg_accounts", Path: "models/staging/stg_accounts.sql",
		Description: "Accounts " + xss + " & more",
		Config:      transform.Config{Materialized: transform.View, Tags: []string{"crm", "staging"}},
		DependsOn:   []string{"source.crm.accounts"},
		RawSQL:      "select * from {{ source('crm', 'accounts') }}",
		CompiledSQL: `select * from "crm"."accounts"`})
	addModel(transform.ManifestNode{Name: "customers", Path: "models/marts/customers.sql",
		Description: "One row per customer.",
		Config:      transform.Config{Materialized: transform.Table},
		DependsOn:   []string{"model.stg_accounts", "model.stg_charges"},
		Columns:     []transform.ManifestColumn{{Name: "customer_id", DataType: "VARCHAR", Description: "Account id."}},
		Checks: []transform.ManifestCheck{{ID: "model.customers.not_null.customer_id", Kind: "not_null",
			Column: "customer_id", Severity: "error", File: "models/marts/schema.yml", Line: 12}},
		RawSQL:      "select a.id as customer_id from {{ ref('stg_accounts') }} a join {{ ref('stg_charges') }} c on c.account = a.id",
		CompiledSQL: `with stg_charges as (select * from "stripe"."charges") select a.id as customer_id from "analytics"."stg_accounts" a join stg_charges c on c.account = a.id`})
	addModel(transform.ManifestNode{Name: "revenue", Path: "models/marts/revenue.sql",
		Description: "Revenue per charge, merged incrementally.",
		Config: transform.Config{Materialized: transform.Incremental, UniqueKey: []string{"charge_id"},
			OnSchemaChange: "append_new_columns", Tags: []string{"finance"}},
		DependsOn: []string{"model.customers", "model.stg_charges"},
		Columns: []transform.ManifestColumn{
			{Name: "charge_id", DataType: "VARCHAR", Description: "The Stripe charge."},
			{Name: "customer_id", DataType: "VARCHAR"},
			{Name: "amount_usd", DataType: "DECIMAL(18,2)", Description: "Amount in dollars, > 0."}},
		Checks: []transform.ManifestCheck{
			{ID: "model.revenue.unique.charge_id", Kind: "unique", Column: "charge_id", Severity: "error", File: "models/marts/schema.yml", Line: 30},
			{ID: "model.revenue.not_null.customer_id", Kind: "not_null", Column: "customer_id", Severity: "warn", File: "models/marts/schema.yml", Line: 33},
			{ID: "model.revenue.row_count", Kind: "row_count", Severity: "error", File: "models/marts/schema.yml", Line: 26}},
		RawSQL: "{{ config(materialized='incremental', unique_key='charge_id') }}\nselect c.id as charge_id, cu.customer_id, c.amount / 100.0 as amount_usd\n" +
			"from {{ ref('stg_charges') }} c join {{ ref('customers') }} cu on cu.customer_id = c.account\n" +
			"{% if is_incremental() %}where c.created > (select max(created) from {{ this }}){% endif %}",
		CompiledSQL:             `with stg_charges as (select * from "stripe"."charges") select c.id as charge_id, cu.customer_id, c.amount / 100.0 as amount_usd from stg_charges c join "analytics"."customers" cu on cu.customer_id = c.account`,
		CompiledIncrementalSQL:  `with stg_charges as (select * from "stripe"."charges") select c.id as charge_id from stg_charges c where c.created > (select max(created) from "analytics"."revenue")`,
		CompiledIncrementalHash: strings.Repeat("ab", 32)})
	addModel(transform.ManifestNode{Name: "revenue_daily", Path: "models/marts/revenue_daily.sql",
		Config: transform.Config{Materialized: transform.View}, DependsOn: []string{"model.revenue"},
		RawSQL: "select 1", CompiledSQL: "select 1"})
	addModel(transform.ManifestNode{Name: "dim_dates", Path: "revops:models/utils/dim_dates.sql", Package: transform.PackageBuiltin,
		Config: transform.Config{Materialized: transform.Table}, RawSQL: "select 2", CompiledSQL: "select 2"})
	addModel(transform.ManifestNode{Name: "odd name<&>", Path: "models/odd name<&>.sql",
		Config: transform.Config{Materialized: transform.View}, DependsOn: []string{"model.revenue", "model.dim_dates"},
		RawSQL: "select 3", CompiledSQL: "select 3"})
	for id, n := range mf.Nodes {
		mf.ParentMap[id] = slices.Clone(n.DependsOn)
		for _, p := range n.DependsOn {
			mf.ChildMap[p] = append(mf.ChildMap[p], id)
		}
	}
	for id := range mf.Nodes {
		mf.ChildMap[id] = append([]string{}, mf.ChildMap[id]...)
		slices.Sort(mf.ChildMap[id])
	}
	for id := range mf.Sources {
		slices.Sort(mf.ChildMap[id])
	}
	return mf
}

// edgesOf lists the manifest's edges as parent→child.
func edgesOf(mf *transform.Manifest) [][2]string {
	var out [][2]string
	for id, ps := range mf.ParentMap {
		for _, p := range ps {
			out = append(out, [2]string{p, id})
		}
	}
	return out
}

func allIDs(mf *transform.Manifest) []string {
	var ids []string
	for id := range mf.Nodes {
		ids = append(ids, id)
	}
	for id := range mf.Sources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func readDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

var testResults = []CheckStatus{
	{ID: "model.revenue.unique.charge_id", Status: "pass", Observed: "0 duplicates"},
	{ID: "model.revenue.not_null.customer_id", Status: "warn", Observed: "3 rows <null>"},
	{ID: "source.stripe.charges.unique.id", Status: "fail", Observed: "2 duplicates"},
}

func writeTestSite(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "site")
	index, err := Write(dir, testManifest(), Options{Results: testResults})
	if err != nil {
		t.Fatal(err)
	}
	if index != filepath.Join(dir, "index.html") {
		t.Fatalf("index = %s", index)
	}
	return dir, readDir(t, dir)
}

func TestFilesAndIndex(t *testing.T) {
	_, files := writeTestSite(t)
	want := []string{"index.html", "model.customers.html", "model.dim_dates.html", "model.odd~20name~3C~26~3E.html",
		"model.revenue.html", "model.revenue_daily.html", "model.stg_accounts.html", "model.stg_charges.html",
		"source.crm.accounts.html", "source.stripe.charges.html"}
	if got := slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}); !slices.Equal(got, want) {
		t.Fatalf("files:\n got %q\nwant %q", got, want)
	}
	index := files["index.html"]
	for _, name := range want[1:] {
		if !strings.Contains(index, `href="`+name+`"`) {
			t.Errorf("index has no link to %s", name)
		}
	}
	for _, s := range []string{"<h1>acme</h1>", "duckdb", "generated 2025-03-04 05:06:07 UTC", "revops 0.9.0",
		`<input id="q" type="search"`, "<summary>stripe", "<summary>project / models/marts", "<summary>revops / models/utils",
		"3 view · 2 table · 1 incremental · 1 ephemeral", "1 extracted · 1 external",
		"1 pass · 1 warn · 1 fail · 2 no result", "Failing and warning checks", "3 rows &lt;null&gt;"} {
		if !strings.Contains(index, s) {
			t.Errorf("index lacks %q", s)
		}
	}
	// The search list: one entry per node, with the text it filters on.
	if n := strings.Count(index, "<li data-s="); n != 9 {
		t.Errorf("%d sidebar entries, want 9", n)
	}
	if !strings.Contains(index, `<li data-s="revenue model.revenue models/marts/revenue.sql incremental &#34;analytics&#34;.&#34;revenue&#34; finance">`) {
		t.Errorf("revenue's search text is missing")
	}
}

func TestModelPage(t *testing.T) {
	_, files := writeTestSite(t)
	page := files["model.revenue.html"]
	text := html.UnescapeString(page)
	mf := testManifest()
	m := mf.Nodes["model.revenue"]
	for _, s := range []string{
		"<h1>revenue", ">incremental<", "Revenue per charge, merged incrementally.", "models/marts/revenue.sql",
		`"analytics"."revenue"`, "charge_id", "append_new_columns", "merge (default with a unique key)", "finance",
		// columns
		"<code>charge_id</code>", "<code>customer_id</code>", "<code>amount_usd</code>", "DECIMAL(18,2)", "Amount in dollars, > 0.",
		// checks, with their status
		"model.revenue.unique.charge_id", "model.revenue.not_null.customer_id", "model.revenue.row_count",
		"row_count", "models/marts/schema.yml:26", `<span class="b b-pass" title="0 duplicates">pass</span>`,
		`<span class="b b-warn" title="3 rows <null>">warn</span>`, "no result",
		// upstream and downstream
		`href="model.customers.html"`, `href="model.stg_charges.html"`, `href="model.revenue_daily.html"`,
		`href="model.odd~20name~3C~26~3E.html"`, "(5 in all)",
		// SQL
		m.RawSQL, m.CompiledSQL, m.CompiledIncrementalSQL, m.CompiledSQLHash, m.CompiledIncrementalHash,
		"Compiled SQL, full build", "Compiled SQL, incremental run",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("model page lacks %q", s)
		}
	}
	if !strings.Contains(page, "<pre><code>"+htmlEscaped(m.CompiledSQL)+"</code></pre>") {
		t.Errorf("compiled SQL is not in a <pre><code>")
	}
	// The column's checks link to the checks table.
	if !regexp.MustCompile(`<tr id="col-1">.*<a class="chk" href="#check-1">unique</a>`).MatchString(page) {
		t.Errorf("column charge_id does not link its check")
	}
	// The current node is highlighted in the lineage drawing, with its edges.
	if strings.Count(page, `aria-current="page"`) != 1 || strings.Count(page, `<path class="hi"`) != 4 {
		t.Errorf("lineage highlight: %d current, %d edges", strings.Count(page, `aria-current="page"`), strings.Count(page, `<path class="hi"`))
	}

	eph := html.UnescapeString(files["model.stg_charges.html"])
	for _, s := range []string{"ephemeral", "none: ephemeral", `href="source.stripe.charges.html"`,
		`href="model.customers.html"`, `href="model.revenue.html"`} {
		if !strings.Contains(eph, s) {
			t.Errorf("ephemeral page lacks %q", s)
		}
	}
}

func TestSourcePage(t *testing.T) {
	_, files := writeTestSite(t)
	page := html.UnescapeString(files["source.stripe.charges.html"])
	for _, s := range []string{"<h1>stripe.charges", ">source<", `"stripe"."charges"`, "extracted by revops",
		"Charges as extracted from Stripe.", "<code>id</code>", "VARCHAR", "Charge id.", "<code>amount</code>",
		"source.stripe.charges.unique.id", ">fail<", "2 duplicates", `href="model.stg_charges.html"`,
		"a source is where lineage starts", "revops.yaml"} {
		if !strings.Contains(page, s) {
			t.Errorf("source page lacks %q", s)
		}
	}
	crm := html.UnescapeString(files["source.crm.accounts.html"])
	if !strings.Contains(crm, "external: declared in a schema file") || !strings.Contains(crm, `href="model.stg_accounts.html"`) {
		t.Errorf("external source page is wrong")
	}
}

func htmlEscaped(s string) string {
	r := strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", "+", "&#43;")
	return r.Replace(s)
}

var hrefRe = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

func TestLinksResolve(t *testing.T) {
	dir, files := writeTestSite(t)
	for name, page := range files {
		for _, m := range hrefRe.FindAllStringSubmatch(page, -1) {
			ref := html.UnescapeString(m[1])
			if strings.Contains(ref, ":") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "//") {
				t.Errorf("%s: link %q is not relative", name, ref)
				continue
			}
			file, frag, _ := strings.Cut(ref, "#")
			target := name
			if file != "" {
				p, err := url.PathUnescape(file)
				if err != nil {
					t.Errorf("%s: link %q: %v", name, ref, err)
					continue
				}
				if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
					t.Errorf("%s: link %q: %v", name, ref, err)
					continue
				}
				target = p
			}
			if frag != "" && !strings.Contains(files[target], `id="`+frag+`"`) {
				t.Errorf("%s: link %q: no such anchor", name, ref)
			}
		}
		// Nothing is fetched from anywhere: no scheme at all in a page.
		for _, s := range []string{"http:", "https:", "//fonts", "@import", "url(http", "fetch(", "XMLHttpRequest"} {
			if strings.Contains(page, s) {
				t.Errorf("%s contains %q", name, s)
			}
		}
	}
}

func TestSVG(t *testing.T) {
	_, files := writeTestSite(t)
	mf := testManifest()
	svg := svgOf(t, files["index.html"])
	if n := strings.Count(svg, "<a href="); n != len(allIDs(mf)) {
		t.Errorf("%d node links in the DAG, want %d", n, len(allIDs(mf)))
	}
	edges := svg[strings.Index(svg, `<g class="edges">`):strings.Index(svg, `<g class="nodes">`)]
	if n := strings.Count(edges, "<path "); n != len(edgesOf(mf)) {
		t.Errorf("%d edge paths, want %d", n, len(edgesOf(mf)))
	}
	for _, id := range allIDs(mf) {
		if !strings.Contains(svg, `<a href="`+pageNames([]string{id})[0]+`"`) {
			t.Errorf("DAG has no link to %s", id)
		}
	}
	for _, s := range []string{`class="n k-source h-fail"`, `class="n k-view"`, `class="n k-ephemeral"`,
		`class="n k-incremental h-warn"`, `class="n k-table"`, "<title>odd name&lt;&amp;&gt; (view)</title>",
		`marker-end="url(#ah)"`} {
		if !strings.Contains(svg, s) {
			t.Errorf("DAG lacks %q", s)
		}
	}
	// Each edge is one cubic Bézier path (or a straight line where it runs level).
	for _, m := range regexp.MustCompile(`<path marker-end="url\(#ah\)" d="([^"]*)"`).FindAllStringSubmatch(edges, -1) {
		if !regexp.MustCompile(`^M-?\d+,-?\d+([CH][-\d, ]+)+$`).MatchString(m[1]) {
			t.Errorf("edge path %q", m[1])
		}
	}
}

func svgOf(t *testing.T, page string) string {
	t.Helper()
	i, j := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	if i < 0 || j < i {
		t.Fatal("no <svg>")
	}
	return page[i : j+len("</svg>")]
}

// boxesByID lays out the whole graph of mf and returns each node's box.
func boxesByID(mf *transform.Manifest) (map[string]box, *drawing) {
	s := newSite(mf, Options{})
	all := make([]int, len(s.g.nodes))
	for i := range all {
		all[i] = i
	}
	d := layout(s.g, all)
	out := map[string]box{}
	for _, b := range d.boxes {
		out[s.g.nodes[b.node].id] = b
	}
	return out, d
}

func checkLayering(t *testing.T, mf *transform.Manifest) {
	t.Helper()
	boxes, d := boxesByID(mf)
	for _, e := range edgesOf(mf) {
		p, c := boxes[e[0]], boxes[e[1]]
		if c.layer <= p.layer || c.x < p.x+p.w+layerGap {
			t.Errorf("%s (layer %d, x %d) is not right of its parent %s (layer %d, x %d)", e[1], c.layer, c.x, e[0], p.layer, p.x)
		}
	}
	// Boxes of a layer do not overlap, and everything fits in the drawing.
	byX := map[int][]box{}
	for _, b := range boxes {
		byX[b.x] = append(byX[b.x], b)
		if b.x < 0 || b.y < 0 || b.x+b.w > d.width || b.y+b.h > d.height {
			t.Errorf("box %+v outside %dx%d", b, d.width, d.height)
		}
	}
	for _, col := range byX {
		slices.SortFunc(col, func(a, b box) int { return a.y - b.y })
		for i := 1; i < len(col); i++ {
			if col[i].y < col[i-1].y+col[i-1].h+nodeGap-1 {
				t.Errorf("boxes overlap: %+v %+v", col[i-1], col[i])
			}
		}
	}
	for id := range mf.Sources {
		if boxes[id].layer != 0 {
			t.Errorf("source %s in layer %d", id, boxes[id].layer)
		}
	}
}

func TestLayering(t *testing.T) {
	checkLayering(t, testManifest())
	boxes, _ := boxesByID(testManifest())
	want := map[string]int{"source.crm.accounts": 0, "source.stripe.charges": 0, "model.dim_dates": 0,
		"model.stg_charges": 1, "model.stg_accounts": 1, "model.customers": 2, "model.revenue": 3,
		"model.revenue_daily": 4, "model.odd name<&>": 4}
	for id, l := range want {
		if boxes[id].layer != l {
			t.Errorf("%s in layer %d, want %d", id, boxes[id].layer, l)
		}
	}
}

func TestEscaping(t *testing.T) {
	_, files := writeTestSite(t)
	for name, page := range files {
		if strings.Contains(page, "alert(1)</script>") || strings.Contains(page, "<&>") {
			t.Errorf("%s: unescaped user text", name)
		}
		if strings.Count(page, "<script") > 1 {
			t.Errorf("%s: more than the search script", name)
		}
	}
	page := files["model.stg_accounts.html"]
	if !strings.Contains(page, "Accounts &lt;script&gt;alert(1)&lt;/script&gt; &amp; more") {
		t.Errorf("description not escaped as expected")
	}
	if !strings.Contains(files["model.odd~20name~3C~26~3E.html"], "<h1>odd name&lt;&amp;&gt;") {
		t.Errorf("odd name not escaped")
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	_, files := writeTestSite(t)
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "&#39;sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "&#39;"
	}
	between := func(s, open, close string) string {
		_, rest, ok := strings.Cut(s, open)
		in, _, ok2 := strings.Cut(rest, close)
		if !ok || !ok2 {
			t.Fatalf("no %s", open)
		}
		return in
	}
	for name, page := range files {
		csp := between(page, `<meta http-equiv="Content-Security-Policy" content="`, `">`)
		if !strings.Contains(csp, "style-src "+hash(between(page, "<style>", "</style>"))) {
			t.Errorf("%s: the style's hash is not allowed: %s", name, csp)
		}
		if name == "index.html" {
			if !strings.Contains(csp, "script-src "+hash(between(page, "<script>", "</script>"))) {
				t.Errorf("%s: the script's hash is not allowed: %s", name, csp)
			}
		} else if !strings.Contains(csp, "script-src &#39;none&#39;") {
			t.Errorf("%s: scripts are allowed: %s", name, csp)
		}
	}
}

func TestDeterministic(t *testing.T) {
	mf := big(300)
	var sites []map[string]string
	for range 3 {
		dir := t.TempDir()
		if _, err := Write(dir, mf, Options{Results: testResults}); err != nil {
			t.Fatal(err)
		}
		sites = append(sites, readDir(t, dir))
	}
	for i := 1; i < len(sites); i++ {
		if len(sites[i]) != len(sites[0]) {
			t.Fatalf("%d files, then %d", len(sites[0]), len(sites[i]))
		}
		for name, b := range sites[0] {
			if sites[i][name] != b {
				t.Errorf("%s differs between two runs", name)
			}
		}
	}
}

func TestReplacesOwnFilesOnly(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(mine, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.revenue.html"), []byte("stale, longer than nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir, testManifest(), Options{Title: "Acme docs"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); string(b) != "keep" {
		t.Errorf("notes.txt = %q", b)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "model.revenue.html"))
	if !bytes.HasPrefix(b, []byte("<!doctype html>")) || !bytes.Contains(b, []byte("<title>revenue · Acme docs</title>")) {
		t.Errorf("model.revenue.html not replaced")
	}
	// Without results, the checks are counted as such.
	b, _ = os.ReadFile(filepath.Join(dir, "index.html"))
	if !bytes.Contains(b, []byte("5 without results")) || bytes.Contains(b, []byte("Failing and warning")) {
		t.Errorf("index without results is wrong")
	}
}

func TestEmptyAndBrokenManifests(t *testing.T) {
	if _, err := Write(t.TempDir(), nil, Options{}); err == nil {
		t.Error("nil manifest: no error")
	}
	dir := t.TempDir()
	if _, err := Write(dir, &transform.Manifest{}, Options{}); err != nil {
		t.Fatal(err)
	}
	// A dependency the manifest does not describe, and a cycle (neither happens with a valid
	// project), still render.
	mf := &transform.Manifest{Project: "x", Nodes: map[string]transform.ManifestNode{
		"model.a": {Name: "a", DependsOn: []string{"model.b", "model.ghost"}},
		"model.b": {Name: "b", DependsOn: []string{"model.a"}},
	}}
	if _, err := Write(dir, mf, Options{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "model.a.html"))
	if !bytes.Contains(b, []byte("model.ghost <span class=\"muted\">(not in the manifest)</span>")) {
		t.Errorf("missing dependency not listed")
	}
}

func TestPageNames(t *testing.T) {
	got := pageNames([]string{"model.A", "model.a", "model.a/b", "model.é", "source.s.t", "model." + strings.Repeat("x", 300)})
	if got[0] != "model.A.html" || !strings.HasPrefix(got[1], "model.a~") || got[2] != "model.a~2Fb.html" ||
		got[3] != "model.~C3~A9.html" || got[4] != "source.s.t.html" || len(got[5]) > 200 {
		t.Errorf("page names: %q", got)
	}
	seen := map[string]bool{}
	for _, n := range got {
		if seen[strings.ToLower(n)] {
			t.Errorf("%s twice", n)
		}
		seen[strings.ToLower(n)] = true
	}
}

func TestIsotonic(t *testing.T) {
	got := isotonic([]float64{10, 0, 50}, []float64{20, 20})
	want := []float64{-5, 15, 50}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("isotonic = %v, want %v", got, want)
		}
	}
}

func TestCrossingReduction(t *testing.T) {
	// Two parents whose children are listed the other way round: sorted by id, every edge
	// crosses; after ordering none does.
	mf := &transform.Manifest{Nodes: map[string]transform.ManifestNode{}}
	for _, n := range []struct{ name, parent string }{{"a", ""}, {"b", ""}, {"c", ""}, {"x", "c"}, {"y", "b"}, {"z", "a"}} {
		node := transform.ManifestNode{Name: n.name}
		if n.parent != "" {
			node.DependsOn = []string{"model." + n.parent}
		}
		mf.Nodes["model."+n.name] = node
	}
	boxes, _ := boxesByID(mf)
	for _, e := range [][2]string{{"a", "z"}, {"b", "y"}, {"c", "x"}} {
		if boxes["model."+e[0]].y != boxes["model."+e[1]].y {
			t.Errorf("%s and %s are not level: %d, %d", e[0], e[1], boxes["model."+e[0]].y, boxes["model."+e[1]].y)
		}
	}
}

// big generates a project of n nodes: a tenth sources, then staging models on one source
// each, then models reading up to three recent models.
func big(n int) *transform.Manifest {
	r := rand.New(rand.NewPCG(1, 2))
	mf := &transform.Manifest{Project: "big", Dialect: "duckdb", Nodes: map[string]transform.ManifestNode{},
		Sources: map[string]transform.ManifestSource{}, ParentMap: map[string][]string{}, ChildMap: map[string][]string{}}
	var sources, models []string
	for i := range n / 10 {
		s := transform.ManifestSource{Source: fmt.Sprintf("app%d", i%7), Table: fmt.Sprintf("table_%03d", i), Extracted: i%2 == 0}
		s.UniqueID = "source." + s.Source + "." + s.Table
		s.Relation = s.Source + "." + s.Table
		mf.Sources[s.UniqueID] = s
		sources = append(sources, s.UniqueID)
	}
	mats := []string{transform.View, transform.Table, transform.Incremental, transform.Ephemeral, transform.View}
	dirs := []string{"staging", "intermediate", "marts/finance", "marts/sales"}
	for i := len(sources); i < n; i++ {
		name := fmt.Sprintf("model_%04d", i)
		var deps []string
		if len(models) < len(sources) {
			deps = []string{sources[len(models)]}
		} else {
			for range 1 + r.IntN(3) {
				lo := max(0, len(models)-150)
				d := models[lo+r.IntN(len(models)-lo)]
				if !slices.Contains(deps, d) {
					deps = append(deps, d)
				}
			}
			slices.Sort(deps)
		}
		m := transform.ManifestNode{UniqueID: "model." + name, Name: name, Package: transform.PackageProject,
			Path:        "models/" + dirs[min(len(dirs)-1, len(models)*len(dirs)/(n-len(sources)))] + "/" + name + ".sql",
			Description: "Model " + name + ".", Config: transform.Config{Materialized: mats[i%len(mats)]},
			DependsOn: deps, RawSQL: "select * from somewhere", CompiledSQL: "select * from somewhere_else",
			Columns: []transform.ManifestColumn{{Name: "id", DataType: "BIGINT"}},
			Checks:  []transform.ManifestCheck{{ID: "model." + name + ".unique.id", Kind: "unique", Column: "id", Severity: "error"}}}
		mf.Nodes[m.UniqueID] = m
		mf.ParentMap[m.UniqueID] = deps
		for _, d := range deps {
			mf.ChildMap[d] = append(mf.ChildMap[d], m.UniqueID)
		}
		models = append(models, m.UniqueID)
	}
	return mf
}

func TestThousandNodes(t *testing.T) {
	mf := big(1000)
	checkLayering(t, mf)
	dir := t.TempDir()
	if _, err := Write(dir, mf, Options{}); err != nil {
		t.Fatal(err)
	}
	files := readDir(t, dir)
	if len(files) != 1001 {
		t.Fatalf("%d files", len(files))
	}
	if n := strings.Count(svgOf(t, files["index.html"]), "<a href="); n != 1000 {
		t.Errorf("%d nodes drawn", n)
	}
	// Lineage drawings stay bounded.
	capped := 0
	for name, page := range files {
		if name == "index.html" {
			continue
		}
		if n := strings.Count(svgOf(t, page), "<a href="); n > lineageCap && !strings.Contains(page, "class=\"note\"") {
			t.Errorf("%s draws %d nodes", name, n)
		}
		if strings.Contains(page, `class="note"`) {
			capped++
		}
	}
	t.Logf("%d of 1000 lineage drawings are cut", capped)
}

// BenchmarkWrite1000 writes a 1,000-node site into a new directory.
func BenchmarkWrite1000(b *testing.B) {
	mf := big(1000)
	for b.Loop() {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "site")
		b.StartTimer()
		if _, err := Write(dir, mf, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRewrite1000 writes a 1,000-node site over itself (nothing changed).
func BenchmarkRewrite1000(b *testing.B) {
	mf := big(1000)
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(dir, mf, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender1000 renders every page of a 1,000-node site, without writing them, on one
// goroutine.
func BenchmarkRender1000(b *testing.B) {
	mf := big(1000)
	var buf bytes.Buffer
	for b.Loop() {
		s := newSite(mf, Options{})
		for p := range len(s.g.nodes) + 1 {
			buf.Reset()
			if _, err := s.renderPage(&buf, p); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkLayout1000(b *testing.B) {
	s := newSite(big(1000), Options{})
	all := make([]int, len(s.g.nodes))
	for i := range all {
		all[i] = i
	}
	for b.Loop() {
		renderSVG(s.g, layout(s.g, all), -1, "")
	}
}
