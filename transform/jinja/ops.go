package jinja

import (
	"fmt"
	"math"
	"strings"
)

// maxRepeat bounds "x" * n so that a typo cannot exhaust memory.
const maxRepeat = 64 << 20

// arith applies a binary operator with Python semantics.
func arith(op binOp, l, r any) (any, error) {
	if op == opConcat {
		ls, err := toStr(l)
		if err != nil {
			return nil, err
		}
		rs, err := toStr(r)
		if err != nil {
			return nil, err
		}
		return ls + rs, nil
	}
	l, r = norm(l), norm(r)
	li, lf, lF, lok := number(l)
	ri, rf, rF, rok := number(r)
	if lok && rok {
		if !lF && !rF && op != opDiv {
			return intArith(op, li, ri)
		}
		if !lF {
			lf = float64(li)
		}
		if !rF {
			rf = float64(ri)
		}
		return floatArith(op, lf, rf)
	}
	switch op {
	case opAdd:
		switch x := l.(type) {
		case string:
			if y, ok := r.(string); ok {
				return x + y, nil
			}
		case *listVal:
			if y, ok := asList(r); ok {
				out := make([]any, 0, len(x.items)+len(y))
				return newList(append(append(out, x.items...), y...)), nil
			}
		}
	case opMul:
		if s, ok := l.(string); ok && rok && !rF {
			return repeatString(s, ri)
		}
		if s, ok := r.(string); ok && lok && !lF {
			return repeatString(s, li)
		}
		if x, ok := l.(*listVal); ok && rok && !rF {
			return repeatList(x.items, ri)
		}
	}
	return nil, newErr(fmt.Sprintf("unsupported operand types for %s: %s and %s", binOpText[op], typeName(l), typeName(r)))
}

func repeatString(s string, n int64) (any, error) {
	if n <= 0 {
		return "", nil
	}
	if int64(len(s))*n > maxRepeat || n > maxRepeat {
		return nil, newErr("string repetition is too large")
	}
	return strings.Repeat(s, int(n)), nil
}

func repeatList(items []any, n int64) (any, error) {
	if n <= 0 {
		return newList(nil), nil
	}
	if int64(len(items))*n > maxRepeat/8 || n > maxRepeat {
		return nil, newErr("list repetition is too large")
	}
	out := make([]any, 0, len(items)*int(n))
	for range n {
		out = append(out, items...)
	}
	return newList(out), nil
}

func errOverflow() error { return newErr("integer overflow") }

func intArith(op binOp, a, b int64) (any, error) {
	switch op {
	case opAdd:
		r := a + b
		if (b > 0 && r < a) || (b < 0 && r > a) {
			return nil, errOverflow()
		}
		return r, nil
	case opSub:
		r := a - b
		if (b < 0 && r < a) || (b > 0 && r > a) {
			return nil, errOverflow()
		}
		return r, nil
	case opMul:
		r, ok := mulExact(a, b)
		if !ok {
			return nil, errOverflow()
		}
		return r, nil
	case opFloorDiv, opMod:
		if b == 0 {
			return nil, newErr("division by zero")
		}
		if a == math.MinInt64 && b == -1 {
			if op == opMod {
				return int64(0), nil
			}
			return nil, errOverflow()
		}
		q, m := a/b, a%b
		if m != 0 && (m < 0) != (b < 0) {
			q--
			m += b
		}
		if op == opMod {
			return m, nil
		}
		return q, nil
	case opPow:
		if b < 0 {
			return math.Pow(float64(a), float64(b)), nil
		}
		r, base, e := int64(1), a, b
		for e > 0 {
			var ok bool
			if e&1 == 1 {
				if r, ok = mulExact(r, base); !ok {
					return nil, errOverflow()
				}
			}
			if e >>= 1; e > 0 {
				if base, ok = mulExact(base, base); !ok {
					return nil, errOverflow()
				}
			}
		}
		return r, nil
	}
	return nil, newErr("bad operator")
}

func floatArith(op binOp, a, b float64) (any, error) {
	switch op {
	case opAdd:
		return a + b, nil
	case opSub:
		return a - b, nil
	case opMul:
		return a * b, nil
	case opDiv:
		if b == 0 {
			return nil, newErr("division by zero")
		}
		return a / b, nil
	case opFloorDiv:
		if b == 0 {
			return nil, newErr("division by zero")
		}
		return math.Floor(a / b), nil
	case opMod:
		if b == 0 {
			return nil, newErr("division by zero")
		}
		m := math.Mod(a, b)
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, nil
	case opPow:
		return math.Pow(a, b), nil
	}
	return nil, newErr("bad operator")
}

func mulExact(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	r := a * b
	if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return r, true
}
