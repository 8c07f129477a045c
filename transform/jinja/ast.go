package jinja

import "strings"

// node is a piece of a template body.
type node interface {
	render(st *state, w *strings.Builder) error
}

type (
	textNode struct{ text string }

	outputNode struct {
		x   expr
		pos Pos
	}

	ifNode struct {
		conds  []expr
		bodies [][]node
		els    []node
	}

	forNode struct {
		targets []string
		iter    expr
		cond    expr // {% for x in xs if cond %}, or nil
		body    []node
		els     []node
		pos     Pos
	}

	// setNode is {% set a = x %}, {% set a, b = x %} or {% set ns.attr = x %} (attr != "").
	setNode struct {
		targets []string
		attr    string
		x       expr
		pos     Pos
	}

	setBlockNode struct {
		target string
		body   []node
	}

	// macroNode defines a macro. A top-level one is hoisted (visible to the whole template);
	// a nested one is a local variable from where it is defined.
	macroNode struct {
		m   *Macro
		top bool
	}

	doNode struct{ x expr }
)

// expr is an expression.
type expr interface {
	eval(st *state) (any, error)
	position() Pos
}

type base struct{ p Pos }

func (b *base) position() Pos { return b.p }

type binOp uint8

const (
	opAdd binOp = iota
	opSub
	opMul
	opDiv
	opFloorDiv
	opMod
	opPow
	opConcat
)

var binOpText = [...]string{"+", "-", "*", "/", "//", "%", "**", "~"}

type (
	constExpr struct {
		base
		v any
	}

	nameExpr struct {
		base
		name string
	}

	listExpr struct {
		base
		items []expr
	}

	dictExpr struct {
		base
		keys, vals []expr
	}

	attrExpr struct {
		base
		x       expr
		name    string
		namePos Pos
	}

	indexExpr struct {
		base
		x, idx expr
	}

	sliceExpr struct {
		base
		x, lo, hi, step expr // nil when omitted
	}

	callExpr struct {
		base
		fn      expr
		args    []expr
		kwNames []string
		kwVals  []expr
	}

	// returnExpr is return(x): it ends the enclosing macro call with the value x.
	returnExpr struct {
		base
		x expr
	}

	filterExpr struct {
		base
		x       expr
		name    string
		args    []expr
		kwNames []string
		kwVals  []expr
		def     filterDef
	}

	testExpr struct {
		base
		x    expr
		name string
		args []expr
		neg  bool
		fn   testFn
	}

	unaryExpr struct {
		base
		neg bool // "-" (else "+")
		x   expr
	}

	notExpr struct {
		base
		x expr
	}

	binExpr struct {
		base
		op   binOp
		l, r expr
	}

	andExpr struct {
		base
		l, r expr
	}

	orExpr struct {
		base
		l, r expr
	}

	// compareExpr is a chain: first ops[0] rest[0] ops[1] rest[1] ...
	compareExpr struct {
		base
		first expr
		ops   []string
		rest  []expr
		opPos []Pos
	}

	condExpr struct {
		base
		then, cond, els expr // els is nil for "a if c"
	}
)

// describe is the source text of a name or a dotted attribute chain ("this.schema"), or "".
func describe(e expr) string {
	switch e := e.(type) {
	case *nameExpr:
		return e.name
	case *attrExpr:
		if s := describe(e.x); s != "" {
			return s + "." + e.name
		}
	}
	return ""
}
