package jinja

import (
	"slices"
	"sort"
)

// StaticCall is a call found in the syntax tree by Template.Calls.
type StaticCall struct {
	Name    string
	Args    []string          // the positional arguments when they are all string literals
	Literal bool              // all positional arguments are string literals (and there are no kwargs other than string literals)
	Kwargs  map[string]string // string-literal kwargs
	Line    int
	Col     int
}

// Calls walks the whole syntax tree (including macro bodies and every branch of if/for) and
// returns each call expression whose callee is a plain name in names, e.g. ref('a') or
// source('s','t'), in source order. It finds dependencies statically, also those in branches
// a render does not take.
func (t *Template) Calls(names ...string) []StaticCall {
	var out []StaticCall
	visit := func(e expr) {
		c, ok := e.(*callExpr)
		if !ok {
			return
		}
		n, ok := c.fn.(*nameExpr)
		if !ok || !slices.Contains(names, n.name) {
			return
		}
		sc := StaticCall{Name: n.name, Literal: true, Line: c.p.Line, Col: c.p.Col}
		args := make([]string, 0, len(c.args))
		for _, a := range c.args {
			s, ok := stringConst(a)
			if !ok {
				sc.Literal = false
				break
			}
			args = append(args, s)
		}
		if sc.Literal {
			sc.Args = args
		}
		for i, k := range c.kwNames {
			s, ok := stringConst(c.kwVals[i])
			if !ok {
				sc.Literal = false
				continue
			}
			if sc.Kwargs == nil {
				sc.Kwargs = map[string]string{}
			}
			sc.Kwargs[k] = s
		}
		out = append(out, sc)
	}
	walkNodes(t.body, visit)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	return out
}

func stringConst(e expr) (string, bool) {
	c, ok := e.(*constExpr)
	if !ok {
		return "", false
	}
	s, ok := c.v.(string)
	return s, ok
}

func walkNodes(nodes []node, visit func(expr)) {
	for _, n := range nodes {
		switch n := n.(type) {
		case *outputNode:
			walkExpr(n.x, visit)
		case *ifNode:
			for i, c := range n.conds {
				walkExpr(c, visit)
				walkNodes(n.bodies[i], visit)
			}
			walkNodes(n.els, visit)
		case *forNode:
			walkExpr(n.iter, visit)
			walkExpr(n.cond, visit)
			walkNodes(n.body, visit)
			walkNodes(n.els, visit)
		case *setNode:
			walkExpr(n.x, visit)
		case *setBlockNode:
			walkNodes(n.body, visit)
		case *macroNode:
			for _, d := range n.m.defaults {
				walkExpr(d, visit)
			}
			walkNodes(n.m.body, visit)
		case *doNode:
			walkExpr(n.x, visit)
		}
	}
}

func walkExprs(es []expr, visit func(expr)) {
	for _, e := range es {
		walkExpr(e, visit)
	}
}

// walkExpr calls visit on e and every expression inside it.
func walkExpr(e expr, visit func(expr)) {
	if e == nil {
		return
	}
	visit(e)
	switch e := e.(type) {
	case *listExpr:
		walkExprs(e.items, visit)
	case *dictExpr:
		for i := range e.keys {
			walkExpr(e.keys[i], visit)
			walkExpr(e.vals[i], visit)
		}
	case *attrExpr:
		walkExpr(e.x, visit)
	case *indexExpr:
		walkExpr(e.x, visit)
		walkExpr(e.idx, visit)
	case *sliceExpr:
		walkExprs([]expr{e.x, e.lo, e.hi, e.step}, visit)
	case *callExpr:
		walkExpr(e.fn, visit)
		walkExprs(e.args, visit)
		walkExprs(e.kwVals, visit)
	case *returnExpr:
		walkExpr(e.x, visit)
	case *filterExpr:
		walkExpr(e.x, visit)
		walkExprs(e.args, visit)
		walkExprs(e.kwVals, visit)
	case *testExpr:
		walkExpr(e.x, visit)
		walkExprs(e.args, visit)
	case *unaryExpr:
		walkExpr(e.x, visit)
	case *notExpr:
		walkExpr(e.x, visit)
	case *binExpr:
		walkExpr(e.l, visit)
		walkExpr(e.r, visit)
	case *andExpr:
		walkExpr(e.l, visit)
		walkExpr(e.r, visit)
	case *orExpr:
		walkExpr(e.l, visit)
		walkExpr(e.r, visit)
	case *compareExpr:
		walkExpr(e.first, visit)
		walkExprs(e.rest, visit)
	case *condExpr:
		walkExpr(e.then, visit)
		walkExpr(e.cond, visit)
		walkExpr(e.els, visit)
	}
}
