package docs

import (
	"slices"
	"unicode/utf8"
)

// graph is the project's DAG: every source and model, sorted by unique id, with its edges.
type graph struct {
	nodes    []gnode
	index    map[string]int
	parents  [][]int // sorted
	children [][]int // sorted
}

// gnode is what a drawing needs of a node.
type gnode struct {
	id     string
	label  string // shown in the box
	kind   string // source, view, table, incremental, ephemeral or other
	href   string // its page
	title  string // tooltip
	health string // "", pass, warn or fail: the worst latest check status
}

// Geometry of a drawing, in SVG user units (pixels).
const (
	nodeH       = 26  // height of a box
	nodeGap     = 12  // vertical space between two boxes
	dummyGap    = 6   // vertical space next to an edge passing through a layer
	layerGap    = 72  // horizontal space between two layers
	margin      = 16  // around the drawing
	charW       = 7   // estimated width of a character of the 12px label
	labelPad    = 10  // left and right padding of a label
	minNodeW    = 96  // narrowest box
	maxNodeW    = 260 // widest box; longer labels are cut with an ellipsis
	orderSweeps = 10  // barycenter sweeps (alternately down and up)
	placeIters  = 8   // coordinate refinement rounds
)

// drawing is a laid-out subgraph: boxes and edges with their coordinates.
type drawing struct {
	width, height int
	boxes         []box  // one per node of the subgraph, in the subgraph's order
	edges         []wire // sorted by (from, to) node
	paths         []byte // the edges' SVG path data, one after the other
}

type box struct {
	node       int // index in graph.nodes
	layer      int
	x, y, w, h int // y is the top
}

type wire struct {
	from, to   int // indexes in graph.nodes
	start, end int // its path data is paths[start:end]
}

func (d *drawing) path(w wire) []byte { return d.paths[w.start:w.end] }

// item is one entry of a layer during layout: a node of the subgraph or a dummy that carries a
// long edge through a layer. Items 0..n-1 are the nodes, the rest dummies.
type item struct {
	layer int32
	pos   int32 // index within its layer
	dummy bool
	y     float64
}

// layering is the working state of a layout.
type layering struct {
	items []item
	// Links between items of consecutive layers, as adjacency lists in one array each:
	// the items above item i are up[upOff[i]:upOff[i+1]], those below likewise.
	upOff, up, downOff, down []int32
	// layers[l] lists the items of layer l in order; all share one array.
	layers [][]int32
}

func (s *layering) ups(i int32) []int32   { return s.up[s.upOff[i]:s.upOff[i+1]] }
func (s *layering) downs(i int32) []int32 { return s.down[s.downOff[i]:s.downOff[i+1]] }

// layout draws the subgraph of g induced by sub (indexes into g.nodes, ascending) as layers
// from left (nodes without parents) to right: longest-path layering, barycenter ordering with
// dummy nodes for long edges, then vertical placement that pulls each node towards its
// neighbours while keeping the order and the spacing.
func layout(g *graph, sub []int) *drawing {
	n := len(sub)
	// Induced edges, sorted by (from, to) since sub and each children list are sorted.
	type edge struct{ from, to int32 }
	count := 0
	for _, v := range sub {
		count += len(g.children[v])
	}
	edges := make([]edge, 0, count)
	for i, v := range sub {
		for _, c := range g.children[v] {
			if j, ok := slices.BinarySearch(sub, c); ok && j != i {
				edges = append(edges, edge{int32(i), int32(j)})
			}
		}
	}
	from := make([]int32, len(edges))
	to := make([]int32, len(edges))
	for k, e := range edges {
		from[k], to[k] = e.from, e.to
	}
	layer := longestPathLayers(n, from, to)
	nLayers := int32(0)
	for _, l := range layer {
		nLayers = max(nLayers, l+1)
	}

	// Items: the nodes, then, for each edge in turn, one dummy per layer it crosses.
	dummies := 0
	for _, e := range edges {
		dummies += max(0, int(layer[e.to]-layer[e.from])-1)
	}
	st := &layering{items: make([]item, n, n+dummies)}
	for i := range n {
		st.items[i] = item{layer: layer[i]}
	}
	firstDummy := make([]int32, len(edges)) // of each edge
	links := make([]edge, 0, len(edges)+dummies)
	for k, e := range edges {
		firstDummy[k] = int32(len(st.items))
		if layer[e.to] <= layer[e.from] { // only on a cycle: drawn, but not laid out
			continue
		}
		prev := e.from
		for l := layer[e.from] + 1; l < layer[e.to]; l++ {
			st.items = append(st.items, item{layer: l, dummy: true})
			d := int32(len(st.items) - 1)
			links = append(links, edge{prev, d})
			prev = d
		}
		links = append(links, edge{prev, e.to})
	}
	m := len(st.items)
	st.upOff, st.downOff = make([]int32, m+1), make([]int32, m+1)
	for _, l := range links {
		st.downOff[l.from+1]++
		st.upOff[l.to+1]++
	}
	for i := range m {
		st.downOff[i+1] += st.downOff[i]
		st.upOff[i+1] += st.upOff[i]
	}
	st.up, st.down = make([]int32, len(links)), make([]int32, len(links))
	fillUp, fillDown := slices.Clone(st.upOff[:m]), slices.Clone(st.downOff[:m])
	for _, l := range links {
		st.down[fillDown[l.from]] = l.to
		fillDown[l.from]++
		st.up[fillUp[l.to]] = l.from
		fillUp[l.to]++
	}

	perLayer := make([]int, nLayers+1)
	for i := range st.items {
		perLayer[st.items[i].layer+1]++
	}
	for l := range nLayers {
		perLayer[l+1] += perLayer[l]
	}
	flat := make([]int32, m)
	st.layers = make([][]int32, nLayers)
	for l := range nLayers {
		st.layers[l] = flat[perLayer[l]:perLayer[l]:perLayer[l+1]]
	}
	for i := range st.items {
		l := st.items[i].layer
		st.layers[l] = append(st.layers[l], int32(i))
	}
	st.order()

	// Horizontal placement: one column per layer, as wide as its widest label.
	layerX := make([]int, nLayers)
	layerW := make([]int, nLayers)
	for i := range n {
		layerW[layer[i]] = max(layerW[layer[i]], nodeWidth(g.nodes[sub[i]].label))
	}
	x := margin
	for l := range nLayers {
		layerW[l] = max(layerW[l], minNodeW)
		layerX[l] = x
		x += layerW[l] + layerGap
	}
	d := &drawing{width: x - layerGap + margin, boxes: make([]box, n), edges: make([]wire, len(edges))}
	if n == 0 {
		d.width, d.height = 2*margin, 2*margin
		return d
	}

	st.place()
	minY := st.items[0].y - halfHeight(&st.items[0])
	for i := range st.items {
		minY = min(minY, st.items[i].y-halfHeight(&st.items[i]))
	}
	maxY := 0
	ys := make([]int, m) // centre of each item
	for i := range st.items {
		ys[i] = int(st.items[i].y-minY+0.5) + margin
		maxY = max(maxY, ys[i]+int(halfHeight(&st.items[i])))
	}
	d.height = maxY + margin
	for i := range n {
		l := layer[i]
		d.boxes[i] = box{node: sub[i], layer: int(l), x: layerX[l], y: ys[i] - nodeH/2, w: layerW[l], h: nodeH}
	}

	pb := pathBuilder{b: make([]byte, 0, 48*len(edges)+48*dummies)}
	for k, e := range edges {
		a, b := d.boxes[e.from], d.boxes[e.to]
		start := len(pb.b)
		pb.move(a.x+a.w, ys[e.from])
		if layer[e.to] > layer[e.from] {
			for it := firstDummy[k]; it < firstDummy[k]+layer[e.to]-layer[e.from]-1; it++ {
				l := st.items[it].layer
				pb.curve(layerX[l], ys[it])
				pb.line(layerX[l]+layerW[l], ys[it])
			}
		}
		// A backward edge (only on a cycle) leaves right and comes back in from the left.
		pb.curve(b.x-arrowLen, ys[e.to])
		d.edges[k] = wire{from: sub[e.from], to: sub[e.to], start: start, end: len(pb.b)}
	}
	d.paths = pb.b
	return d
}

const arrowLen = 6 // the arrowhead is drawn past the end of the path

// longestPathLayers puts each node one layer right of its rightmost parent (nodes without
// parents in layer 0), given the edges from[k]→to[k] sorted by from. Nodes on a cycle, which a
// valid manifest never has, are placed right of the parents placed before them.
func longestPathLayers(n int, from, to []int32) []int32 {
	indeg := make([]int32, n)
	outOff := make([]int32, n+1)
	for k := range from {
		indeg[to[k]]++
		outOff[from[k]+1]++
	}
	for i := range n {
		outOff[i+1] += outOff[i]
	}
	layer := make([]int32, n)
	done := make([]bool, n)
	queue := make([]int32, 0, n)
	for i := range n {
		if indeg[i] == 0 {
			queue = append(queue, int32(i))
		}
	}
	placed := 0
	for placed < n {
		for len(queue) > 0 {
			v := queue[0]
			queue = queue[1:]
			done[v] = true
			placed++
			for _, c := range to[outOff[v]:outOff[v+1]] {
				layer[c] = max(layer[c], layer[v]+1)
				if indeg[c]--; indeg[c] == 0 {
					queue = append(queue, c)
				}
			}
		}
		if placed == n {
			break
		}
		// Break a cycle at its first node left: place it after the parents already placed.
		for i := range n {
			if done[i] {
				continue
			}
			for k := range from {
				if int(to[k]) == i && done[from[k]] {
					layer[i] = max(layer[i], layer[from[k]]+1)
				}
			}
			indeg[i] = 0
			queue = append(queue, int32(i))
			break
		}
	}
	return layer
}

// nodeWidth is the width of a box for label.
func nodeWidth(label string) int {
	w := utf8.RuneCountInString(label)*charW + 2*labelPad
	return min(max(w, minNodeW), maxNodeW)
}

// order orders each layer to reduce edge crossings: barycenter sweeps down and up, keeping
// the order with the fewest crossings.
func (s *layering) order() {
	items := s.items
	setPos := func() {
		for _, ly := range s.layers {
			for p, it := range ly {
				items[it].pos = int32(p)
			}
		}
	}
	setPos()
	var cs crossCounter
	best := cs.count(s)
	bestOrder := make([]int32, len(items)) // the layers' shared array
	saveBest := func() {
		o := 0
		for _, ly := range s.layers {
			o += copy(bestOrder[o:], ly)
		}
	}
	saveBest()
	keys := make([]float64, len(items))
	stale := 0 // sweeps since the last improvement
	for sweep := 0; sweep < orderSweeps && best > 0 && stale < 4; sweep++ {
		down := sweep%2 == 0
		for k := 1; k < len(s.layers); k++ {
			l := k
			if !down {
				l = len(s.layers) - 1 - k
			}
			ly := s.layers[l]
			for _, it := range ly {
				nb := s.ups(it)
				if !down {
					nb = s.downs(it)
				}
				if len(nb) == 0 {
					keys[it] = float64(items[it].pos)
					continue
				}
				sum := 0
				for _, o := range nb {
					sum += int(items[o].pos)
				}
				keys[it] = float64(sum) / float64(len(nb))
			}
			slices.SortStableFunc(ly, func(a, b int32) int {
				switch {
				case keys[a] < keys[b]:
					return -1
				case keys[a] > keys[b]:
					return 1
				}
				return int(items[a].pos - items[b].pos)
			})
			for p, it := range ly {
				items[it].pos = int32(p)
			}
		}
		if c := cs.count(s); c < best {
			best, stale = c, 0
			saveBest()
		} else {
			stale++
		}
	}
	o := 0
	for _, ly := range s.layers {
		o += copy(ly, bestOrder[o:o+len(ly)])
	}
	setPos()
}

// crossCounter counts the edge crossings between consecutive layers, as inversions (with a
// Fenwick tree).
type crossCounter struct{ seq, tree []int32 }

func (c *crossCounter) count(s *layering) int {
	total := 0
	for l := 0; l+1 < len(s.layers); l++ {
		c.seq = c.seq[:0]
		for _, it := range s.layers[l] { // by position in layer l
			start := len(c.seq)
			for _, d := range s.downs(it) {
				c.seq = append(c.seq, s.items[d].pos)
			}
			if len(c.seq)-start > 1 {
				slices.Sort(c.seq[start:])
			}
		}
		m := len(s.layers[l+1])
		c.tree = slices.Grow(c.tree[:0], m+1)[:m+1]
		clear(c.tree)
		for i, p := range c.seq {
			// The earlier edges ending below p cross this one.
			le := 0
			for j := p + 1; j > 0; j -= j & -j {
				le += int(c.tree[j])
			}
			total += i - le
			for j := p + 1; int(j) <= m; j += j & -j {
				c.tree[j]++
			}
		}
	}
	return total
}

func halfHeight(it *item) float64 {
	if it.dummy {
		return 0
	}
	return nodeH / 2
}

// separation is the least distance between the centres of two items next to each other.
func separation(a, b *item) float64 {
	gap := float64(nodeGap)
	if a.dummy || b.dummy {
		gap = dummyGap
	}
	return halfHeight(a) + halfHeight(b) + gap
}

// place gives each item a y: first stacked, then a few rounds that move each layer's items as
// close as possible (least squares) to the mean y of their neighbours, keeping their order and
// spacing.
func (s *layering) place() {
	items := s.items
	tallest, widest := 0.0, 0
	heights := make([]float64, len(s.layers))
	for l, ly := range s.layers {
		y := 0.0
		for p, it := range ly {
			if p > 0 {
				y += separation(&items[ly[p-1]], &items[it])
			}
			items[it].y = y
		}
		heights[l] = y
		tallest = max(tallest, y)
		widest = max(widest, len(ly))
	}
	for l, ly := range s.layers { // centre each layer on the tallest
		for _, it := range ly {
			items[it].y += (tallest - heights[l]) / 2
		}
	}
	var iso isotonicSolver
	desired := make([]float64, 0, widest)
	sep := make([]float64, 0, widest)
	for round := range placeIters {
		for k := range s.layers {
			l := k
			if round%2 == 1 {
				l = len(s.layers) - 1 - k
			}
			ly := s.layers[l]
			desired, sep = desired[:0], sep[:0]
			for p, it := range ly {
				sum, cnt := 0.0, 0
				for _, o := range s.ups(it) {
					sum += items[o].y
					cnt++
				}
				for _, o := range s.downs(it) {
					sum += items[o].y
					cnt++
				}
				if cnt == 0 {
					desired = append(desired, items[it].y)
				} else {
					desired = append(desired, sum/float64(cnt))
				}
				if p > 0 {
					sep = append(sep, separation(&items[ly[p-1]], &items[it]))
				}
			}
			for p, y := range iso.solve(desired, sep) {
				items[ly[p]].y = y
			}
		}
	}
}

// isotonicSolver finds the y closest to desired (least squares) with y[i+1]-y[i] >= sep[i]:
// the pool-adjacent-violators algorithm on desired[i] minus the cumulative separation. It
// keeps its buffers from one call to the next.
type isotonicSolver struct {
	off, out []float64
	blocks   []isoBlock
}

type isoBlock struct {
	sum   float64
	count int
}

func (s *isotonicSolver) solve(desired, sep []float64) []float64 {
	n := len(desired)
	s.off = append(s.off[:0], 0)
	for i := 1; i < n; i++ {
		s.off = append(s.off, s.off[i-1]+sep[i-1])
	}
	s.blocks = s.blocks[:0]
	for i := range n {
		s.blocks = append(s.blocks, isoBlock{desired[i] - s.off[i], 1})
		for len(s.blocks) > 1 {
			a, b := s.blocks[len(s.blocks)-2], s.blocks[len(s.blocks)-1]
			if a.sum/float64(a.count) <= b.sum/float64(b.count) {
				break
			}
			s.blocks = s.blocks[:len(s.blocks)-1]
			s.blocks[len(s.blocks)-1] = isoBlock{a.sum + b.sum, a.count + b.count}
		}
	}
	s.out = s.out[:0]
	for _, b := range s.blocks {
		mean := b.sum / float64(b.count)
		for range b.count {
			s.out = append(s.out, mean+s.off[len(s.out)])
		}
	}
	return s.out
}

// isotonic is isotonicSolver.solve with fresh buffers.
func isotonic(desired, sep []float64) []float64 {
	var s isotonicSolver
	return s.solve(desired, sep)
}
