package docs

import (
	"html/template"
	"strconv"
	"strings"
)

// pathBuilder writes SVG path data with integer coordinates.
type pathBuilder struct {
	b    []byte
	x, y int
}

func (p *pathBuilder) move(x, y int) {
	p.b = append(p.b, 'M')
	p.b = p.pair(x, y)
	p.x, p.y = x, y
}

func (p *pathBuilder) pair(x, y int) []byte {
	p.b = strconv.AppendInt(p.b, int64(x), 10)
	p.b = append(p.b, ',')
	return strconv.AppendInt(p.b, int64(y), 10)
}

// curve is a cubic Bézier to (x, y) that leaves and arrives horizontally.
func (p *pathBuilder) curve(x, y int) {
	if y == p.y {
		p.line(x, y)
		return
	}
	dx := (x - p.x) / 2
	if dx < layerGap/2 { // a backward or very short edge: still leave right and arrive from the left
		dx = layerGap / 2
	}
	p.b = append(p.b, 'C')
	p.b = p.pair(p.x+dx, p.y)
	p.b = append(p.b, ' ')
	p.b = p.pair(x-dx, y)
	p.b = append(p.b, ' ')
	p.b = p.pair(x, y)
	p.x, p.y = x, y
}

// line is a horizontal segment to (x, y); y is the current y.
func (p *pathBuilder) line(x, _ int) {
	if x == p.x {
		return
	}
	p.b = append(p.b, 'H')
	p.b = strconv.AppendInt(p.b, int64(x), 10)
	p.x = x
}

// svgDefs are the arrowheads: tip at the path's end plus arrowLen.
const svgDefs = `<defs>` +
	`<marker id="ah" viewBox="0 0 6 6" refX="0" refY="3" markerWidth="6" markerHeight="6" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L6,3L0,6z"/></marker>` +
	`<marker id="ah-hi" viewBox="0 0 6 6" refX="0" refY="3" markerWidth="6" markerHeight="6" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L6,3L0,6z"/></marker>` +
	`</defs>`

// renderSVG draws d: every edge as one <path>, every node as one <a> linking to its page.
// current (an index into g.nodes, or -1) is highlighted with its edges. Every text from the
// manifest goes through html/template's escaper.
func renderSVG(g *graph, d *drawing, current int, label string) template.HTML {
	var b strings.Builder
	b.Grow(256 + 160*len(d.edges) + 260*len(d.boxes))
	w, h := strconv.Itoa(d.width), strconv.Itoa(d.height)
	b.WriteString(`<svg class="dag" width="` + w + `" height="` + h + `" viewBox="0 0 ` + w + ` ` + h +
		`" role="img" aria-label="`)
	b.WriteString(template.HTMLEscapeString(label))
	b.WriteString(`">`)
	b.WriteString(svgDefs)
	b.WriteString(`<g class="edges">`)
	for _, e := range d.edges {
		if e.from == current || e.to == current {
			b.WriteString(`<path class="hi" marker-end="url(#ah-hi)" d="`)
		} else {
			b.WriteString(`<path marker-end="url(#ah)" d="`)
		}
		b.Write(d.path(e))
		b.WriteString(`"/>`)
	}
	b.WriteString(`</g><g class="nodes">`)
	var num []byte
	itoa := func(v int) string {
		num = strconv.AppendInt(num[:0], int64(v), 10)
		return string(num)
	}
	for _, bx := range d.boxes {
		n := &g.nodes[bx.node]
		b.WriteString(`<a href="`)
		b.WriteString(template.HTMLEscapeString(n.href))
		b.WriteString(`" class="n k-`)
		b.WriteString(n.kind)
		if n.health != "" {
			b.WriteString(" h-" + n.health)
		}
		if bx.node == current {
			b.WriteString(` cur" aria-current="page`)
		}
		b.WriteString(`"><title>`)
		b.WriteString(template.HTMLEscapeString(n.title))
		b.WriteString(`</title><rect x="`)
		b.WriteString(itoa(bx.x))
		b.WriteString(`" y="`)
		b.WriteString(itoa(bx.y))
		b.WriteString(`" width="`)
		b.WriteString(itoa(bx.w))
		b.WriteString(`" height="`)
		b.WriteString(itoa(bx.h))
		b.WriteString(`" rx="6"/><text x="`)
		b.WriteString(itoa(bx.x + labelPad))
		b.WriteString(`" y="`)
		b.WriteString(itoa(bx.y + bx.h/2 + 4))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(fitLabel(n.label, bx.w)))
		b.WriteString(`</text></a>`)
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// fitLabel cuts label with an ellipsis to fit a box w wide.
func fitLabel(label string, w int) string {
	maxRunes := (w - 2*labelPad) / charW
	r := []rune(label)
	if len(r) <= maxRunes {
		return label
	}
	if maxRunes < 2 {
		return "…"
	}
	return string(r[:maxRunes-1]) + "…"
}
