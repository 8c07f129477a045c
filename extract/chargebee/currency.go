package chargebee

// currency.go: Chargebee amounts are integers in a currency's minor unit; the connector loads
// them as DECIMAL(38,6) in major units, dividing by 10^exponent of the currency (ISO 4217).

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/revops/revops/internal/arrowrow"
)

// moneyScale is the scale of every money and decimal column: six decimals hold every minor
// unit (at most four decimals, CLF) with room for rates and percentages.
const moneyScale = arrowrow.DecimalScale

// defaultExponents are the ISO 4217 currencies whose minor unit is not a hundredth, as
// Chargebee counts them; every other currency has two decimals.
func defaultExponents() map[string]int {
	return map[string]int{
		// No minor unit: the amount is in whole units.
		"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
		"UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
		// Thousandths.
		"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
		// Ten-thousandths.
		"CLF": 4, "UYW": 4,
	}
}

// exponents maps a currency (upper case) to its exponent.
type exponents map[string]int

func (e exponents) of(currency string) int {
	if x, ok := e[strings.ToUpper(currency)]; ok {
		return x
	}
	return 2
}

// minorToMoney converts an amount in minor units written as a decimal number ("1999", "-150",
// "0.5", "1e-05") to major units at moneyScale: it shifts the decimal point by exponent,
// exactly, and rounds half to even past six decimals. No floating point is involved.
func minorToMoney(minor string, exponent int) (decimal128.Num, error) {
	s := strings.TrimSpace(minor)
	r, ok := new(big.Rat).SetString(s)
	if !ok || !numberPattern.MatchString(s) {
		return decimal128.Num{}, fmt.Errorf("amount %q is not a decimal number", minor)
	}
	ten := big.NewInt(10)
	if shift := moneyScale - exponent; shift >= 0 {
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(ten, big.NewInt(int64(shift)), nil)))
	} else {
		r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(ten, big.NewInt(int64(-shift)), nil)))
	}
	num, den := new(big.Int).Abs(r.Num()), r.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if c := new(big.Int).Lsh(rem, 1).Cmp(den); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(1))
	}
	if len(q.String()) > 38 {
		return decimal128.Num{}, fmt.Errorf("amount %q does not fit DECIMAL(38,%d)", minor, moneyScale)
	}
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return decimal128.FromBigInt(q), nil
}

// numberPattern is a JSON-style decimal number (exponents of up to three digits).
var numberPattern = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$`)
