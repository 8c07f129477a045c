package stripe

// currency.go: Stripe amounts are integers in a currency's minor unit (cents); the connector
// loads them as DECIMAL(38,6) in major units, dividing by 10^exponent of the currency.

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/revops/revops/internal/arrowrow"
)

// moneyScale is the scale of every money column: six decimals hold every currency's minor unit
// (at most three decimals) and sub-minor-unit prices (unit_amount_decimal) to 1/1000 of a cent.
const moneyScale = arrowrow.DecimalScale

// exponents are the currencies whose minor unit is not a hundredth, as Stripe's API counts
// them. ISK, HUF and TWD are two-decimal in the API even where payouts are whole units.
func defaultExponents() map[string]int {
	return map[string]int{
		// Zero-decimal: the amount is in whole units.
		"bif": 0, "clp": 0, "djf": 0, "gnf": 0, "jpy": 0, "kmf": 0, "krw": 0, "mga": 0, "pyg": 0,
		"rwf": 0, "ugx": 0, "vnd": 0, "vuv": 0, "xaf": 0, "xof": 0, "xpf": 0,
		// Three-decimal.
		"bhd": 3, "jod": 3, "kwd": 3, "omr": 3, "tnd": 3,
	}
}

// exponents maps a currency (lower case) to its exponent; any other currency has two decimals.
type exponents map[string]int

func (e exponents) of(currency string) int {
	if x, ok := e[strings.ToLower(currency)]; ok {
		return x
	}
	return 2
}

// minorToMoney converts an amount in minor units, written as a decimal string (an integer such
// as "2000", or Stripe's *_decimal strings such as "0.5"), to major units at moneyScale,
// rounding half to even past six decimals.
func minorToMoney(minor string, exponent int) (decimal128.Num, error) {
	n, ok, fits := arrowrow.ScaleDecimal(strings.TrimSpace(minor), -exponent)
	if !ok {
		return decimal128.Num{}, fmt.Errorf("amount %q is not a decimal number", minor)
	}
	if !fits {
		return decimal128.Num{}, fmt.Errorf("amount %q does not fit DECIMAL(38,%d)", minor, moneyScale)
	}
	return n, nil
}
