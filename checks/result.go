package checks

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is the outcome of one check. It marshals to JSON as written to target/run_results.json.
type Result struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Target   string   `json:"target"`
	Column   string   `json:"column,omitempty"`
	Severity Severity `json:"severity"`
	Status   Status   `json:"status"`
	// Observed is the kind's observed value (a count, a percent, an age in hours or business
	// days …; see the package documentation); nil when not evaluated.
	Observed *float64 `json:"observed"`
	// Rate is the observed count as a percent of the kind's denominator (all rows, in-scope
	// rows, keys …), which percent thresholds compare; nil for kinds without one.
	Rate         *float64 `json:"rate,omitempty"`
	ObservedText string   `json:"observed_text,omitempty"` // "3 of 1,024 rows (0.29%)", "26.5 hours"
	Threshold    string   `json:"threshold"`               // "error if > 0", "warn if > 1%, error if > 5%"
	FailingRows  int64    `json:"failing_rows"`
	// Sample holds up to the spec's Sample failing rows: key columns only (the target's key
	// columns, else the check's own), ordered by them. Reconciliations add their measures.
	Sample         []map[string]any `json:"sample,omitempty"`
	SQL            []string         `json:"sql,omitempty"` // every query that computed this result (a fused scan included)
	ElapsedSeconds float64          `json:"elapsed_seconds"`
	Message        string           `json:"message,omitempty"`
	Error          string           `json:"error,omitempty"` // why the check could not be evaluated
	CheckedAt      time.Time        `json:"checked_at"`
}

func newResult(sp *Spec, now time.Time) Result {
	return Result{
		ID: sp.ID, Name: sp.Name, Kind: sp.Kind, Target: sp.Target.Name, Column: sp.Column,
		Severity: sp.Severity, Threshold: sp.Threshold(), CheckedAt: now.UTC(),
	}
}

// SkippedResult is the result of a check that was not run, e.g. because a model it reads was
// skipped after an upstream failure; reason says why.
func SkippedResult(sp *Spec, reason string, at time.Time) Result {
	r := newResult(sp, at)
	r.Status, r.Message = StatusSkipped, reason
	return r
}

// FailedTargets lists, in first-seen order, the targets (Target names) with an error-severity
// failure: the models and sources whose dependents a build skips.
func FailedTargets(results []Result) []string {
	var out []string
	for _, r := range results {
		if r.Status == StatusFail && !contains(out, r.Target) {
			out = append(out, r.Target)
		}
	}
	return out
}

// Summary writes a readable table of the results and a final line counting them by status and
// naming the checks that failed, warned or could not be evaluated.
func Summary(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCHECK\tTARGET\tOBSERVED\tTHRESHOLD\tSECONDS")
	for _, r := range results {
		obs := r.ObservedText
		if obs == "" && r.Observed != nil {
			obs = formatNumber(*r.Observed)
		}
		if r.Status == StatusError {
			obs = "not evaluated"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.2f\n", strings.ToUpper(string(r.Status)), r.Name, targetCol(r), cut(obs, 70), r.Threshold, r.ElapsedSeconds)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range results {
		switch r.Status {
		case StatusError:
			fmt.Fprintf(&b, "\nERROR %s: %s\n", r.Name, r.Error)
		case StatusFail, StatusWarn:
			fmt.Fprintf(&b, "\n%s %s (%s): %s", strings.ToUpper(string(r.Status)), r.Name, targetCol(r), r.ObservedText)
			if r.Message != "" {
				fmt.Fprintf(&b, "; %s", r.Message)
			}
			b.WriteString("\n")
			for _, row := range r.Sample {
				b.WriteString("    " + formatRow(row) + "\n")
			}
			if r.FailingRows > int64(len(r.Sample)) && len(r.Sample) > 0 {
				fmt.Fprintf(&b, "    … %s failing rows in all\n", formatInt(r.FailingRows))
			}
		case StatusSkipped:
			if r.Message != "" {
				fmt.Fprintf(&b, "\nSKIPPED %s: %s\n", r.Name, r.Message)
			}
		}
	}
	b.WriteString("\n" + countLine(results) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func targetCol(r Result) string {
	if r.Column != "" {
		return r.Target + "." + r.Column
	}
	return r.Target
}

func cut(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func formatRow(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := m[k]
		switch x := v.(type) {
		case nil:
			parts[i] = k + "=NULL"
		case time.Time:
			parts[i] = k + "=" + x.Format(time.RFC3339Nano)
		case float64:
			parts[i] = k + "=" + formatNumber(x)
		default:
			parts[i] = fmt.Sprintf("%s=%v", k, x)
		}
	}
	return strings.Join(parts, " ")
}

// countLine is "checks: 12 passed, 1 warned, 2 failed, 1 error, 0 skipped — failed: a, b; …".
func countLine(results []Result) string {
	names := map[Status][]string{}
	for _, r := range results {
		names[r.Status] = append(names[r.Status], r.Name)
	}
	line := fmt.Sprintf("checks: %d passed, %d warned, %d failed, %d not evaluated, %d skipped",
		len(names[StatusPass]), len(names[StatusWarn]), len(names[StatusFail]), len(names[StatusError]), len(names[StatusSkipped]))
	var parts []string
	for _, x := range []struct {
		s    Status
		verb string
	}{{StatusFail, "failed"}, {StatusError, "not evaluated"}, {StatusWarn, "warned"}} {
		if n := names[x.s]; len(n) > 0 {
			parts = append(parts, x.verb+": "+strings.Join(n, ", "))
		}
	}
	if len(parts) > 0 {
		line += " — " + strings.Join(parts, "; ")
	}
	return line
}

// Outcome applies the exit-code contract (DESIGN.md §5) to check results:
//
//	1  an error-severity check failed
//	3  else, a check could not be evaluated (a runtime error)
//	2  else, a check warned and warnError (--warn-error) is set
//	0  otherwise (warnings alone exit 0 without --warn-error)
//
// A real failure wins over an evaluation error: a failed error-severity check is a data
// problem somebody must act on (it pages), and the evaluation errors are named in the reason
// alongside it. reason says which checks decided the code.
func Outcome(results []Result, warnError bool) (exitCode int, reason string) {
	var fail, errs, warn []string
	for _, r := range results {
		switch r.Status {
		case StatusFail:
			fail = append(fail, r.Name)
		case StatusError:
			errs = append(errs, r.Name)
		case StatusWarn:
			warn = append(warn, r.Name)
		}
	}
	switch {
	case len(fail) > 0:
		reason = fmt.Sprintf("%s failed: %s", plural(len(fail), "error-severity check"), strings.Join(fail, ", "))
		if len(errs) > 0 {
			reason += fmt.Sprintf("; %s could not be evaluated: %s", plural(len(errs), "check"), strings.Join(errs, ", "))
		}
		return 1, reason
	case len(errs) > 0:
		return 3, fmt.Sprintf("%s could not be evaluated: %s", plural(len(errs), "check"), strings.Join(errs, ", "))
	case len(warn) > 0 && warnError:
		return 2, fmt.Sprintf("%s warned and --warn-error was given: %s", plural(len(warn), "check"), strings.Join(warn, ", "))
	case len(warn) > 0:
		return 0, fmt.Sprintf("no check failed; %s warned: %s", plural(len(warn), "check"), strings.Join(warn, ", "))
	}
	return 0, fmt.Sprintf("all %s passed", plural(len(results), "check"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// formatInt renders 1234567 as "1,234,567".
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatNumber renders a float with at most 2 decimals (whole numbers without any).
func formatNumber(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return formatInt(int64(v))
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// formatPct renders a percent: "0.29%", "<0.01%".
func formatPct(r float64) string {
	if r > 0 && r < 0.01 {
		return "<0.01%"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "%"
}

// ofRows is "3 of 1,024 rows (0.29%)".
func ofRows(n, total int64, noun string) string {
	r := 0.0
	if total > 0 {
		r = float64(n) / float64(total) * 100
	}
	return fmt.Sprintf("%s of %s %s (%s)", formatInt(n), formatInt(total), noun, formatPct(r))
}
