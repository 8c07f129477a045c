package salesforce

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// The direct parsers accept and return exactly what the general ones do.

func TestParseBoolMatchesStrconv(t *testing.T) {
	for _, in := range []string{"true", "false", "True", "FALSE", "1", "0", "t", "f", "", "yes", "true ", "null"} {
		got, gotErr := parseBool([]byte(in))
		want, wantErr := strconv.ParseBool(in)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("parseBool(%q) = %v, %v; strconv.ParseBool = %v, %v", in, got, gotErr, want, wantErr)
		}
	}
}

func TestParseDateMatchesTimeParse(t *testing.T) {
	inputs := []string{"2026-01-31", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "0000-01-01", "9999-12-31",
		"2026-00-10", "2026-13-01", "2026-04-31", "2026-04-00", "2026-4-01", "2026/04/01", "26-04-01", "2026-04-01T00:00:00",
		"", "abcd-ef-gh", "2026-04-1x", "+026-04-01"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		inputs = append(inputs, fmt.Sprintf("%04d-%02d-%02d", rng.IntN(10000), rng.IntN(14), rng.IntN(33)))
	}
	for _, in := range inputs {
		got, gotErr := parseDate([]byte(in))
		want, wantErr := time.Parse(time.DateOnly, in)
		if !got.Equal(want) || got.Location() != want.Location() || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("parseDate(%q) = %v, %v; time.Parse = %v, %v", in, got, gotErr, want, wantErr)
		}
	}
}

func TestParseDatetimeBytesMatchesParseDatetime(t *testing.T) {
	inputs := []string{"2026-10-30T23:56:40.000+0000", "2026-10-30T23:56:40.123Z", "2024-02-29T00:00:00.999+0000",
		"2023-02-29T00:00:00.000+0000", "2026-10-30T24:00:00.000+0000", "2026-10-30T23:60:00.000+0000",
		"2026-10-30T23:59:60.000+0000", "2026-10-30T23:56:40.000+0100", "2026-10-30T23:56:40.000-0530",
		"2026-10-30T23:56:40Z", "2026-10-30T23:56:40.5Z", "2026-10-30T23:56:40.000+00:00", "2026-10-30 23:56:40.000+0000",
		"2026-10-30T23:56:40,000+0000", "2026-10-30T23:56:40.00a+0000", "2026-10-30T23:56:40.000+0000x", "", "null"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		inputs = append(inputs, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", rng.IntN(10000), rng.IntN(14),
			rng.IntN(33), rng.IntN(26), rng.IntN(62), rng.IntN(62), rng.IntN(1000), []string{"+0000", "Z", "-0000"}[rng.IntN(3)]))
	}
	for _, in := range inputs {
		got, gotErr := parseDatetimeBytes([]byte(in))
		want, wantErr := parseDatetime(in)
		if !got.Equal(want) || got.Location() != want.Location() || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("parseDatetimeBytes(%q) = %v, %v; parseDatetime = %v, %v", in, got, gotErr, want, wantErr)
		}
	}
}

func TestParseDecimalMatchesFromString(t *testing.T) {
	inputs := []string{"0", "-0", "0.5", "-0.5", "12.34", "12.345", "12.3456", "-99999999999999.99", "999999999999999999",
		"9999999999999999.99", "10000000000000000.00", "123456789012345678", "1234567890123456789", "0000001.10", "1.",
		".5", "1e3", "1.5E-1", "+1", "--1", "1.2.3", "", "-", "abc", "0.000", "00", "-0.01", "5.0", "100"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		n := rng.Int64N(1_000_000_000_000) - 500_000_000_000
		inputs = append(inputs, strconv.FormatInt(n, 10), fmt.Sprintf("%d.%0*d", n/1000, 1+rng.IntN(5), rng.IntN(1000)))
	}
	for _, ps := range [][2]int32{{18, 2}, {16, 4}, {5, 2}, {38, 0}, {10, 0}, {3, 3}} {
		for _, in := range inputs {
			got, gotErr := parseDecimal([]byte(in), ps[0], ps[1])
			want, wantErr := decimal128.FromString(in, ps[0], ps[1])
			if got != want || (gotErr == nil) != (wantErr == nil) {
				t.Errorf("parseDecimal(%q, %d, %d) = %v, %v; FromString = %v, %v", in, ps[0], ps[1], got, gotErr, want, wantErr)
			}
		}
	}
}

func BenchmarkParseDatetimeBytes(b *testing.B) {
	in := []byte("2026-10-30T23:56:40.000+0000")
	for b.Loop() {
		if _, err := parseDatetimeBytes(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDecimal(b *testing.B) {
	in := []byte("12345.5")
	for b.Loop() {
		if _, err := parseDecimal(in, 18, 2); err != nil {
			b.Fatal(err)
		}
	}
}
