package render

import (
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Text is the exact text of a non-null value: decimals keep every digit of their scale (Arrow's
// own ValueStr rounds them to their precision in %g form), and the string is a copy that outlives
// the record it came from.
func Text(col arrow.Array, i int) string {
	switch a := col.(type) {
	case *array.Decimal128:
		return decimalText(a.Value(i).BigInt(), a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Decimal256:
		return decimalText(a.Value(i).BigInt(), a.DataType().(*arrow.Decimal256Type).Scale)
	}
	return strings.Clone(col.ValueStr(i))
}

// decimalText renders an unscaled integer with scale digits after the point.
func decimalText(n *big.Int, scale int32) string {
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if scale > 0 {
		if pad := int(scale) + 1 - len(digits); pad > 0 {
			digits = strings.Repeat("0", pad) + digits
		}
		digits = digits[:len(digits)-int(scale)] + "." + digits[len(digits)-int(scale):]
	} else if scale < 0 {
		digits += strings.Repeat("0", int(-scale))
	}
	if neg {
		return "-" + digits
	}
	return digits
}
