package docs

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/revops/revops/transform"
)

//go:embed assets/site.tmpl assets/style.css assets/search.js
var assets embed.FS

var (
	tmpl = template.Must(template.New("site").ParseFS(assets, "assets/site.tmpl"))
	// The style and the script are inlined, and a Content-Security-Policy allows exactly them
	// (by hash): nothing else runs or loads, whatever a manifest contains.
	styleCSS   = strings.TrimSpace(mustRead("assets/style.css"))
	searchJS   = strings.TrimSpace(mustRead("assets/search.js"))
	indexHead  = headHTML(true)
	pageHead   = headHTML(false)
	scriptHTML = template.HTML("<script>" + searchJS + "</script>")
)

func mustRead(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func headHTML(script bool) template.HTML {
	scriptSrc := "'none'"
	if script {
		scriptSrc = cspHash(searchJS)
	}
	csp := "default-src 'none'; style-src " + cspHash(styleCSS) + "; script-src " + scriptSrc +
		"; img-src data:; base-uri 'none'; form-action 'none'"
	return template.HTML(`<meta http-equiv="Content-Security-Policy" content="` + template.HTMLEscapeString(csp) + `">` +
		"\n<style>" + styleCSS + "</style>")
}

// siteData is the part of every page that comes from the project.
type siteData struct {
	Title, Project, Dialect, Version, Generated string
	Head                                        template.HTML
	Script                                      template.HTML
}

func (s *site) siteData(index bool) siteData {
	d := siteData{Title: s.title, Project: s.mf.Project, Dialect: s.mf.Dialect, Version: s.mf.RevopsVersion,
		Generated: s.generated, Head: pageHead}
	if d.Project == "" {
		d.Project = "project"
	}
	if index {
		d.Head, d.Script = indexHead, scriptHTML
	}
	return d
}

type count struct {
	Label string
	N     int
}

type navSection struct {
	Title  string
	Count  int
	Groups []navGroup
}

type navGroup struct {
	Label string
	Items []navItem
}

type navItem struct {
	Label, Href, Kind, Search, Health string
}

type indexData struct {
	Site                                 siteData
	PageTitle                            string
	Sections                             []navSection
	Models, Sources, Extracted, External int
	Checks, Macros                       int
	ByMaterialization, ByStatus          []count
	Problems                             []problemRow
	DAG                                  template.HTML
}

type problemRow struct {
	Node, Href                 string
	ID, Kind, Column, Severity string
	Status, Class, Observed    string
}

func (s *site) renderIndex(w io.Writer) error {
	mf, g := s.mf, s.g
	d := indexData{Site: s.siteData(true), PageTitle: "Overview", Models: len(mf.Nodes), Macros: len(mf.Macros)}

	// Counts.
	byMat := map[string]int{}
	statusN := map[string]int{}
	addChecks := func(checks []transform.ManifestCheck) {
		d.Checks += len(checks)
		for _, c := range checks {
			if r, ok := s.results[c.ID]; ok {
				statusN[statusClass(r.Status)]++
			} else {
				statusN["none"]++
			}
		}
	}
	for _, n := range g.nodes {
		if m, ok := mf.Nodes[n.id]; ok {
			byMat[materialization(m)]++
			addChecks(m.Checks)
		} else {
			src := mf.Sources[n.id]
			d.Sources++
			if src.Extracted {
				d.Extracted++
			} else {
				d.External++
			}
			addChecks(src.Checks)
		}
	}
	for _, k := range []string{transform.View, transform.Table, transform.Incremental, transform.Ephemeral} {
		d.ByMaterialization = append(d.ByMaterialization, count{k, byMat[k]})
		delete(byMat, k)
	}
	for _, k := range sortedKeys(byMat) {
		d.ByMaterialization = append(d.ByMaterialization, count{k, byMat[k]})
	}
	if len(s.results) == 0 {
		d.ByStatus = []count{{"without results", d.Checks}}
	} else {
		for _, k := range []struct{ key, label string }{{"pass", "pass"}, {"warn", "warn"}, {"fail", "fail"},
			{"other", "other"}, {"none", "no result"}} {
			if statusN[k.key] > 0 || k.key == "fail" || k.key == "pass" {
				d.ByStatus = append(d.ByStatus, count{k.label, statusN[k.key]})
			}
		}
	}

	// Sidebar: sources by source name, models by package and directory.
	srcGroups := map[string][]navItem{}
	modelGroups := map[string][]navItem{}
	for _, n := range g.nodes {
		it := navItem{Href: n.href, Kind: n.kind, Health: n.health}
		if m, ok := mf.Nodes[n.id]; ok {
			it.Label = n.label
			it.Search = strings.ToLower(strings.Join(append([]string{n.label, n.id, m.Path, materialization(m), m.Relation},
				m.Config.Tags...), " "))
			grp := groupOf(m)
			modelGroups[grp] = append(modelGroups[grp], it)
		} else {
			src := mf.Sources[n.id]
			it.Label = src.Table
			name := src.Source
			if it.Label == "" {
				it.Label = n.label
			}
			it.Search = strings.ToLower(strings.Join([]string{n.label, n.id, src.Relation, "source"}, " "))
			srcGroups[name] = append(srcGroups[name], it)
		}
	}
	byLabel := func(a, b navItem) int { return strings.Compare(a.Label, b.Label) }
	if len(srcGroups) > 0 {
		sec := navSection{Title: "Sources", Count: d.Sources}
		for _, k := range sortedKeys(srcGroups) {
			slices.SortStableFunc(srcGroups[k], byLabel)
			sec.Groups = append(sec.Groups, navGroup{Label: k, Items: srcGroups[k]})
		}
		d.Sections = append(d.Sections, sec)
	}
	if len(modelGroups) > 0 {
		sec := navSection{Title: "Models", Count: d.Models}
		keys := sortedKeys(modelGroups)
		// The project's own models first, then each package's.
		slices.SortStableFunc(keys, func(a, b string) int {
			pa, pb := strings.HasPrefix(a, transform.PackageProject), strings.HasPrefix(b, transform.PackageProject)
			switch {
			case pa && !pb:
				return -1
			case pb && !pa:
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			slices.SortStableFunc(modelGroups[k], byLabel)
			sec.Groups = append(sec.Groups, navGroup{Label: k, Items: modelGroups[k]})
		}
		d.Sections = append(d.Sections, sec)
	}

	// Checks that did not pass.
	for _, n := range g.nodes {
		var checks []transform.ManifestCheck
		if m, ok := mf.Nodes[n.id]; ok {
			checks = m.Checks
		} else {
			checks = mf.Sources[n.id].Checks
		}
		for _, c := range checks {
			r, ok := s.results[c.ID]
			if !ok {
				continue
			}
			if cl := statusClass(r.Status); cl == "warn" || cl == "fail" {
				d.Problems = append(d.Problems, problemRow{Node: n.label, Href: n.href, ID: c.ID, Kind: c.Kind,
					Column: c.Column, Severity: c.Severity, Status: r.Status, Class: cl, Observed: r.Observed})
			}
		}
	}
	slices.SortStableFunc(d.Problems, func(a, b problemRow) int { // failures first
		if a.Class != b.Class {
			return strings.Compare(a.Class, b.Class)
		}
		return 0
	})

	all := make([]int, len(g.nodes))
	for i := range all {
		all[i] = i
	}
	d.DAG = renderSVG(g, layout(g, all), -1, "DAG of "+d.Site.Project)
	return tmpl.ExecuteTemplate(w, "index", d)
}

type fact struct {
	Label, Value string
	Code         bool
	Chips        []string
}

type columnRow struct {
	Anchor, Name, Type, Description string
	Checks                          []checkRow
}

type checkRow struct {
	Anchor                         string
	ID, Kind, Column, Severity     string
	Status, Class, Observed, Where string
}

type linkRow struct {
	Label, Href, Kind string
}

type sqlBlock struct {
	Title, Code, Hash string
}

type nodeData struct {
	Site                         siteData
	PageTitle                    string
	Name, Group, Description     string
	KindLabel, KindClass, Health string
	IsSource                     bool
	Facts                        []fact
	Columns                      []columnRow
	Checks                       []checkRow
	Upstream, Downstream         []linkRow
	Ancestors, Descendants       int
	Lineage                      template.HTML
	LineageNote                  string
	SQL                          []sqlBlock
}

func (s *site) renderNode(w io.Writer, v int) error {
	mf, g := s.mf, s.g
	n := g.nodes[v]
	d := nodeData{Site: s.siteData(false), PageTitle: n.label, Name: n.label, KindClass: n.kind, Health: n.health}
	var cols []transform.ManifestColumn
	var checks []transform.ManifestCheck
	if m, ok := mf.Nodes[n.id]; ok {
		d.KindLabel, d.Group, d.Description = materialization(m), groupOf(m), m.Description
		cols, checks = m.Columns, m.Checks
		relation := m.Relation
		if m.Config.Materialized == transform.Ephemeral && relation == "" {
			relation = "none: ephemeral, inlined as a CTE into the models that read it"
		}
		d.Facts = []fact{
			{Label: "Unique id", Value: n.id, Code: true},
			{Label: "Relation", Value: relation, Code: m.Relation != ""},
			{Label: "Materialized", Value: materialization(m)},
			{Label: "Path", Value: m.Path, Code: true},
			{Label: "Package", Value: m.Package},
		}
		if len(m.Config.UniqueKey) > 0 {
			d.Facts = append(d.Facts, fact{Label: "Unique key", Value: strings.Join(m.Config.UniqueKey, ", "), Code: true})
		}
		if m.Config.Materialized == transform.Incremental {
			strategy := m.Config.IncrementalStrategy
			switch {
			case strategy != "":
			case len(m.Config.UniqueKey) > 0:
				strategy = transform.StrategyMerge + " (default with a unique key)"
			default:
				strategy = transform.StrategyAppend + " (default without a unique key)"
			}
			onChange := m.Config.OnSchemaChange
			if onChange == "" {
				onChange = "fail (default)"
			}
			d.Facts = append(d.Facts, fact{Label: "Incremental strategy", Value: strategy},
				fact{Label: "On schema change", Value: onChange})
		}
		if m.Config.Schema != "" {
			d.Facts = append(d.Facts, fact{Label: "Schema", Value: m.Config.Schema, Code: true})
		}
		if m.Config.Alias != "" {
			d.Facts = append(d.Facts, fact{Label: "Alias", Value: m.Config.Alias, Code: true})
		}
		if len(m.Config.Tags) > 0 {
			d.Facts = append(d.Facts, fact{Label: "Tags", Chips: m.Config.Tags})
		}
		if m.RawSQL != "" {
			d.SQL = append(d.SQL, sqlBlock{Title: "Source SQL (" + m.Path + ")", Code: m.RawSQL})
		}
		if m.CompiledSQL != "" || m.CompiledSQLHash != "" {
			title := "Compiled SQL"
			if m.CompiledIncrementalSQL != "" {
				title = "Compiled SQL, full build"
			}
			d.SQL = append(d.SQL, sqlBlock{Title: title, Code: m.CompiledSQL, Hash: m.CompiledSQLHash})
		}
		if m.CompiledIncrementalSQL != "" {
			d.SQL = append(d.SQL, sqlBlock{Title: "Compiled SQL, incremental run", Code: m.CompiledIncrementalSQL,
				Hash: m.CompiledIncrementalHash})
		}
	} else {
		src := mf.Sources[n.id]
		d.IsSource, d.KindLabel, d.Group, d.Description = true, "source", "source "+src.Source, src.Description
		cols, checks = src.Columns, src.Checks
		loaded := "external: declared in a schema file, loaded by something else"
		if src.Extracted {
			loaded = "extracted by revops"
		}
		d.Facts = []fact{
			{Label: "Unique id", Value: n.id, Code: true},
			{Label: "Relation", Value: src.Relation, Code: true},
			{Label: "Source", Value: src.Source},
			{Label: "Table", Value: src.Table},
			{Label: "Loaded", Value: loaded},
		}
		if src.Path != "" {
			d.Facts = append(d.Facts, fact{Label: "Declared in", Value: src.Path, Code: true})
		}
	}

	// Checks, and each column's.
	for i, c := range checks {
		row := checkRow{Anchor: "check-" + strconv.Itoa(i+1), ID: c.ID, Kind: c.Kind, Column: c.Column, Severity: c.Severity}
		if c.File != "" {
			row.Where = c.File
			if c.Line > 0 {
				row.Where += ":" + strconv.Itoa(c.Line)
			}
		}
		if r, ok := s.results[c.ID]; ok {
			row.Status, row.Class, row.Observed = r.Status, statusClass(r.Status), r.Observed
			if row.Status == "" {
				row.Status = "unknown"
			}
		}
		d.Checks = append(d.Checks, row)
	}
	for i, c := range cols {
		row := columnRow{Anchor: "col-" + strconv.Itoa(i+1), Name: c.Name, Type: c.DataType, Description: c.Description}
		for _, ch := range d.Checks {
			if ch.Column != "" && strings.EqualFold(ch.Column, c.Name) {
				row.Checks = append(row.Checks, ch)
			}
		}
		d.Columns = append(d.Columns, row)
	}

	// Lineage.
	link := func(u int) linkRow {
		return linkRow{Label: g.nodes[u].label, Href: g.nodes[u].href, Kind: g.nodes[u].kind}
	}
	for _, p := range g.parents[v] {
		d.Upstream = append(d.Upstream, link(p))
	}
	for _, id := range s.missing[v] {
		d.Upstream = append(d.Upstream, linkRow{Label: id})
	}
	for _, c := range g.children[v] {
		d.Downstream = append(d.Downstream, link(c))
	}
	sub, note, ancestors, descendants := s.lineage(v)
	d.Ancestors, d.Descendants = ancestors, descendants
	if d.Ancestors == len(g.parents[v]) {
		d.Ancestors = 0 // nothing more to say than the list
	}
	if d.Descendants == len(g.children[v]) {
		d.Descendants = 0
	}
	d.LineageNote = note
	d.Lineage = renderSVG(g, layout(g, sub), v, "Lineage of "+n.label)
	return tmpl.ExecuteTemplate(w, "node", d)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
