// Package docs renders `revops docs`: a static documentation and lineage site for a project's
// manifest, one directory of HTML files that opens from disk (file://) with nothing fetched —
// no JSON loaded by script, no CDN, no web fonts.
//
// The site is index.html (the project's counts, a searchable list of every model and source,
// the whole DAG) plus one page per node: model.<name>.html and source.<source>.<table>.html
// (characters outside [A-Za-z0-9._-] are written as ~XX). Pages link to each other relatively,
// so the directory can be moved, zipped or served as is. The DAG drawings are computed here
// (layered, left to right from the sources) and inlined as SVG; the only script is the search
// filter of the index, and every page is fully navigable without it. Rendering is
// deterministic: the same manifest and options give the same bytes.
package docs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/revops/revops/transform"
)

// CheckStatus is the latest outcome of one check, to show as a badge next to it.
type CheckStatus struct {
	ID       string // the check's id, as in ManifestCheck.ID
	Status   string // pass, warn, fail, error, skip…
	Observed string // what the check saw, e.g. "3 rows"
}

// Options tune the site.
type Options struct {
	// Title heads every page; default "revops docs".
	Title string
	// GeneratedAt is shown on every page; default the manifest's generated_at (nothing is
	// shown when both are zero: the site never reads the clock, so it stays reproducible).
	GeneratedAt time.Time
	// Results are the latest check outcomes, by check id (the last one of an id wins).
	Results []CheckStatus
}

// IndexFile is the site's entry page.
const IndexFile = "index.html"

// Write renders the site into dir (created if need be). The files it writes are replaced;
// other files in dir are left alone. It returns the path of index.html.
func Write(dir string, mf *transform.Manifest, opts Options) (string, error) {
	if mf == nil {
		return "", errors.New("docs: no manifest")
	}
	s := newSite(mf, opts)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	// Page 0 is the index, page i+1 the node g.nodes[i]; they render in parallel. The index is
	// written last, once every page it links to is there.
	pages := len(s.g.nodes) + 1
	errs := make([]error, pages)
	var index []byte
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), pages) {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				p := int(next.Add(1) - 1)
				if p >= pages {
					return
				}
				buf.Reset()
				name, err := s.renderPage(&buf, p)
				switch {
				case err != nil:
				case p == 0:
					index = bytes.Clone(buf.Bytes())
				default:
					err = writeIfChanged(filepath.Join(dir, name), buf.Bytes())
				}
				if err != nil {
					errs[p] = fmt.Errorf("docs: %s: %w", name, err)
				}
			}
		})
	}
	wg.Wait()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	switch len(failed) {
	case 0:
	case 1:
		return "", failed[0]
	default:
		return "", fmt.Errorf("%w (and %d more pages)", failed[0], len(failed)-1)
	}
	path := filepath.Join(dir, IndexFile)
	if err := writeIfChanged(path, index); err != nil {
		return "", fmt.Errorf("docs: %w", err)
	}
	return path, nil
}

// renderPage renders page p: 0 is the index, i+1 the node g.nodes[i]. It returns the page's
// file name.
func (s *site) renderPage(buf *bytes.Buffer, p int) (string, error) {
	if p == 0 {
		return IndexFile, s.renderIndex(buf)
	}
	return s.g.nodes[p-1].href, s.renderNode(buf, p-1)
}

// writeIfChanged writes data to path unless the file already holds exactly that: a site
// written again for an unchanged project keeps its files (and their times) as they were.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

// site is what every page is rendered from.
type site struct {
	mf        *transform.Manifest
	title     string
	generated string
	g         *graph
	results   map[string]CheckStatus
	missing   [][]string // per node: dependencies the manifest does not describe
}

func newSite(mf *transform.Manifest, opts Options) *site {
	s := &site{mf: mf, title: opts.Title, results: map[string]CheckStatus{}}
	if s.title == "" {
		s.title = "revops docs"
	}
	at := opts.GeneratedAt
	if at.IsZero() {
		at = mf.GeneratedAt
	}
	if !at.IsZero() {
		s.generated = at.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for _, r := range opts.Results {
		s.results[r.ID] = r
	}
	s.buildGraph()
	return s
}

// buildGraph collects the nodes (models and sources, by unique id) and their edges, from the
// parent map, each model's depends_on and the child map together.
func (s *site) buildGraph() {
	mf := s.mf
	ids := make([]string, 0, len(mf.Nodes)+len(mf.Sources))
	for id := range mf.Nodes {
		ids = append(ids, id)
	}
	for id := range mf.Sources {
		if _, dup := mf.Nodes[id]; !dup {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	names := pageNames(ids)
	g := &graph{nodes: make([]gnode, len(ids)), index: make(map[string]int, len(ids)),
		parents: make([][]int, len(ids)), children: make([][]int, len(ids))}
	for i, id := range ids {
		g.index[id] = i
		n := gnode{id: id, href: names[i]}
		var checks []transform.ManifestCheck
		if m, ok := mf.Nodes[id]; ok {
			n.label, n.kind = modelName(id, m), kindClass(m.Config.Materialized)
			n.title = n.label + " (" + materialization(m) + ")"
			checks = m.Checks
		} else {
			src := mf.Sources[id]
			n.label, n.kind = sourceName(id, src), "source"
			n.title = n.label + " (source)"
			checks = src.Checks
		}
		n.health = s.health(checks)
		if n.health != "" {
			n.title += " — checks: " + n.health
		}
		g.nodes[i] = n
	}
	s.missing = make([][]string, len(ids))
	addEdge := func(parent, child string) {
		c, ok := g.index[child]
		if !ok {
			return
		}
		p, ok := g.index[parent]
		if !ok {
			if !slices.Contains(s.missing[c], parent) {
				s.missing[c] = append(s.missing[c], parent)
			}
			return
		}
		if p != c && !slices.Contains(g.parents[c], p) {
			g.parents[c] = append(g.parents[c], p)
			g.children[p] = append(g.children[p], c)
		}
	}
	for _, id := range ids {
		for _, p := range mf.ParentMap[id] {
			addEdge(p, id)
		}
		if m, ok := mf.Nodes[id]; ok {
			for _, p := range m.DependsOn {
				addEdge(p, id)
			}
		}
		for _, c := range mf.ChildMap[id] {
			addEdge(id, c)
		}
	}
	for i := range g.nodes {
		slices.Sort(g.parents[i])
		slices.Sort(g.children[i])
		slices.Sort(s.missing[i])
	}
	s.g = g
}

// health is the worst latest status of checks: fail, warn, pass, or "" without results.
func (s *site) health(checks []transform.ManifestCheck) string {
	worst := ""
	rank := map[string]int{"": 0, "other": 0, "pass": 1, "warn": 2, "fail": 3}
	for _, c := range checks {
		r, ok := s.results[c.ID]
		if !ok {
			continue
		}
		if st := statusClass(r.Status); rank[st] > rank[worst] {
			worst = st
		}
	}
	return worst
}

// statusClass maps a check status to a badge: pass, warn, fail or other.
func statusClass(status string) string {
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "pass", "passed", "ok", "success":
		return "pass"
	case "warn", "warning":
		return "warn"
	case "fail", "failed", "failure", "error", "errored":
		return "fail"
	}
	return "other"
}

func modelName(id string, m transform.ManifestNode) string {
	if m.Name != "" {
		return m.Name
	}
	return strings.TrimPrefix(id, "model.")
}

func sourceName(id string, s transform.ManifestSource) string {
	if s.Source != "" || s.Table != "" {
		return s.Source + "." + s.Table
	}
	return strings.TrimPrefix(id, "source.")
}

func materialization(m transform.ManifestNode) string {
	if m.Config.Materialized == "" {
		return "model"
	}
	return m.Config.Materialized
}

// kindClass is the CSS class suffix of a materialization.
func kindClass(materialized string) string {
	switch materialized {
	case transform.View, transform.Table, transform.Incremental, transform.Ephemeral:
		return materialized
	}
	return "other"
}

// pageNames gives each unique id a file name: the id with every byte outside [A-Za-z0-9._-]
// written as ~XX, plus ".html". Names that would clash on a case-insensitive file system, or
// run too long, get a hash of the id.
func pageNames(ids []string) []string {
	out := make([]string, len(ids))
	taken := make(map[string]bool, len(ids))
	for i, id := range ids { // ids are sorted, so which one gets the hash is stable
		var b strings.Builder
		for j := 0; j < len(id); j++ {
			c := id[j]
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '-':
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, "~%02X", c)
			}
		}
		base := b.String()
		if len(base) > 180 || taken[strings.ToLower(base)] || strings.EqualFold(base+".html", IndexFile) {
			sum := sha256.Sum256([]byte(id))
			base = base[:min(len(base), 160)] + "~" + hex.EncodeToString(sum[:5])
		}
		taken[strings.ToLower(base)] = true
		out[i] = base + ".html"
	}
	return out
}

// lineageCap bounds the nodes of a node page's lineage drawing; past it, levels beyond the
// second one each way are left out (the index draws the whole DAG).
const lineageCap = 150

// lineage returns the nodes to draw around v (ascending), a note when some ancestors or
// descendants were left out, and how many ancestors and descendants v has.
func (s *site) lineage(v int) (sub []int, note string, ancestors, descendants int) {
	g := s.g
	seen := make([]bool, len(g.nodes)) // ancestors and descendants are disjoint in a DAG
	seen[v] = true
	// levels lists the nodes at each distance from v through next: levels[k] at k+1 steps, all
	// in one array.
	levels := func(next [][]int) [][]int {
		var all []int
		var out [][]int
		start := 0
		all = append(all, v)
		for start < len(all) {
			end := len(all)
			for _, u := range all[start:end] {
				for _, w := range next[u] {
					if !seen[w] {
						seen[w] = true
						all = append(all, w)
					}
				}
			}
			if len(all) > end {
				out = append(out, all[end:len(all):len(all)])
			}
			start = end
		}
		return out
	}
	up, down := levels(g.parents), levels(g.children)
	for _, l := range up {
		ancestors += len(l)
	}
	for _, l := range down {
		descendants += len(l)
	}
	total := 1 + ancestors + descendants
	sub = []int{v}
	count := 1
	nu, nd := 0, 0
	upOpen, downOpen := true, true
	for k := 0; upOpen || downOpen; k++ {
		if upOpen {
			if k < len(up) && (k < 2 || count+len(up[k]) <= lineageCap) {
				sub = append(sub, up[k]...)
				count += len(up[k])
				nu++
			} else {
				upOpen = false
			}
		}
		if downOpen {
			if k < len(down) && (k < 2 || count+len(down[k]) <= lineageCap) {
				sub = append(sub, down[k]...)
				count += len(down[k])
				nd++
			} else {
				downOpen = false
			}
		}
	}
	slices.Sort(sub)
	sub = slices.Compact(sub)
	if count < total {
		note = fmt.Sprintf("Showing %d of %d upstream and %d of %d downstream levels (%d of %d related nodes); the index draws the whole DAG.",
			nu, len(up), nd, len(down), count-1, total-1)
	}
	return sub, note, ancestors, descendants
}

// groupOf is the sidebar group of a model: its package and directory.
func groupOf(m transform.ManifestNode) string {
	p := m.Path
	if rest, ok := strings.CutPrefix(p, "revops:"); ok {
		p = rest
	}
	dir := path.Dir(filepath.ToSlash(p))
	pkg := m.Package
	if pkg == "" {
		pkg = transform.PackageProject
	}
	if dir == "." || dir == "" {
		return pkg
	}
	return pkg + " / " + dir
}
