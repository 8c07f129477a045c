package render

import (
	"math/big"
	"testing"
)

func TestDecimalText(t *testing.T) {
	tests := []struct {
		unscaled string
		scale    int32
		want     string
	}{
		{"1723000050", 2, "17230000.50"},
		{"5", 2, "0.05"},
		{"-5", 2, "-0.05"},
		{"-123456", 3, "-123.456"},
		{"0", 2, "0.00"},
		{"12", 0, "12"},
		{"12", -2, "1200"},
		{"99999999999999999999999999999999999999", 10, "9999999999999999999999999999.9999999999"},
	}
	for _, tt := range tests {
		n, _ := new(big.Int).SetString(tt.unscaled, 10)
		if got := decimalText(n, tt.scale); got != tt.want {
			t.Errorf("decimalText(%s, %d) = %s, want %s", tt.unscaled, tt.scale, got, tt.want)
		}
	}
}
