package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/revops/revops/internal/yamlx"
)

// Severity says what a met condition means: "error" (the default) fails the check, which
// blocks what depends on its target; "warn" only warns.
type Severity string

// Severities.
const (
	SeverityWarn  Severity = "warn"
	SeverityError Severity = "error"
)

// Status is a check's outcome.
type Status string

// Statuses.
const (
	StatusPass    Status = "pass"
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"    // an error-severity condition was met
	StatusError   Status = "error"   // the check could not be evaluated
	StatusSkipped Status = "skipped" // not run (upstream failed, or not enough history)
)

// Target is the relation a check runs against.
type Target struct {
	Kind       string   // "model" or "source"
	Name       string   // model name, or "source.table" for sources (e.g. "crm.accounts")
	Relation   []string // schema, table (quoted through the Dialect by the runner)
	KeyColumns []string // the only columns shown in failing-row samples (if empty, the check's own column(s))
	TimeZone   string   // default IANA zone for naive timestamp columns of this target ("" = none declared)
}

// Resolver resolves a relation reference written in a check ("ref('dim_account')",
// "source('crm','accounts')") to a Target. The expression is passed trimmed, without {{ }}.
type Resolver func(expr string) (Target, error)

// Spec is one parsed check. Specs are immutable once parsed and safe to share between goroutines.
type Spec struct {
	// ID is stable and unique in a project: the user's name when given, else
	// kind.target[.column][.hash], where hash is 8 hex digits of the kind's arguments and
	// where filter (absent when the check has none), so that tuning a threshold or the
	// severity keeps a check's history.
	ID          string
	Name        string // the user's name, else ID
	Kind        string // canonical kind (aliases such as accepted_range are resolved)
	Column      string // "" for a table-level check
	Description string
	Target      Target
	Severity    Severity
	Tags        []string
	File        string
	Line        int
	// DependsOn names the other targets this check reads (relationships, reconciliations), so
	// that the DAG can run it after them.
	DependsOn []string
	// Where is the user's SQL filter applied to the target's rows ("" = all rows).
	Where string
	// Sample is the most failing rows kept in a Result (default 5; 0 = none).
	Sample int
	// WarnIf and ErrorIf are the effective conditions as text ("" = none), for docs and tooling.
	WarnIf, ErrorIf string

	check   checker
	warnIf  *condition
	errorIf *condition
}

// Threshold renders the spec's conditions for people: "error if > 0", "warn if > 1%, error if > 5%".
func (s *Spec) Threshold() string { return thresholdText(s.Severity, s.warnIf, s.errorIf) }

// checker is one kind's parsed parameters. Every checker implements either aggregator (its
// measures join the fused scan of its target) or solo (it runs its own queries).
type checker interface {
	info() kindInfo
}

// kindInfo tells the runner how a kind's observed value is judged.
type kindInfo struct {
	// fail is the failure condition used when the user gives none (nil: "> 0").
	fail *condition
	// warn and error are natural levels a kind derives from its own keys (freshness'
	// warn_after/error_after, volume_anomaly's defaults); they replace the fail default.
	warn, error *condition
	// rate: the kind reports a rate, so percent thresholds apply to it.
	rate bool
	// percent: the observed value itself is a percent, so "> 5" and "> 5%" mean the same.
	percent bool
}

// kindDef is one entry of the kind registry.
type kindDef struct {
	level level
	// scalar names the key a scalar value sets (`sql: "select …"`); "" = no scalar form.
	scalar string
	parse  func(p *parseCtx) (checker, error)
}

type level int

const (
	columnLevel level = iota // needs a column: declared under one, or with `column:`
	tableLevel               // declared under a model or source, never a column
	eitherLevel              // the column is optional and may come from where it is declared
)

// kinds is the registry: a check kind is one file plus one entry here. It is never modified.
var kinds = map[string]kindDef{
	"not_null":            {level: columnLevel, parse: parseNotNull},
	"unique":              {level: columnLevel, parse: parseUnique},
	"accepted_values":     {level: columnLevel, parse: parseAcceptedValues},
	"range":               {level: columnLevel, parse: parseRange},
	"regex":               {level: columnLevel, parse: parseRegex},
	"relationships":       {level: columnLevel, parse: parseRelationships},
	"not_null_from_stage": {level: columnLevel, parse: parseNotNullFromStage},
	"duplicate_rate":      {level: eitherLevel, parse: parseDuplicateRate},
	"row_count":           {level: tableLevel, parse: parseRowCount},
	"unique_combination":  {level: tableLevel, parse: parseUniqueCombination},
	"freshness":           {level: eitherLevel, parse: parseFreshness},
	"volume_anomaly":      {level: eitherLevel, parse: parseVolumeAnomaly},
	"reconcile":           {level: tableLevel, parse: parseReconcile},
	"arr_rollforward":     {level: tableLevel, parse: parseARRRollforward},
	"bookings_vs_billing": {level: tableLevel, parse: parseBookingsVsBilling},
	"extract_totals":      {level: tableLevel, parse: parseExtractTotals},
	"sql":                 {level: eitherLevel, scalar: "query", parse: parseSQL},
}

// aliases are other names users know from dbt and dbt_utils.
var aliases = map[string]string{
	"accepted_range":                "range",
	"unique_combination_of_columns": "unique_combination",
}

// Kinds returns the supported kind names, aliases included, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds)+len(aliases))
	for k := range kinds {
		out = append(out, k)
	}
	for k := range aliases {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// commonKeys are the keys every kind accepts (column only where the kind takes one).
var commonKeys = []string{"name", "description", "severity", "warn_if", "error_if", "where", "tags", "sample", "column", "config", "arguments"}

// commonArgs receives the common keys; Rest holds the kind's own.
type commonArgs struct {
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Severity    string     `yaml:"severity"`
	WarnIf      *yaml.Node `yaml:"warn_if"`
	ErrorIf     *yaml.Node `yaml:"error_if"`
	Where       string     `yaml:"where"`
	Tags        []string   `yaml:"tags"`
	Sample      *int       `yaml:"sample"`
	Column      string     `yaml:"column"`
	Config      *yaml.Node `yaml:"config"`
	Arguments   *yaml.Node `yaml:"arguments"`
	Rest        *yaml.Node `yaml:",remain"`
}

// configArgs is dbt's `config:` block: the same settings, nested.
type configArgs struct {
	Severity string     `yaml:"severity"`
	WarnIf   *yaml.Node `yaml:"warn_if"`
	ErrorIf  *yaml.Node `yaml:"error_if"`
	Where    string     `yaml:"where"`
	Tags     []string   `yaml:"tags"`
	Limit    *int       `yaml:"limit"`
}

// parseCtx carries one entry through its kind's parse function.
type parseCtx struct {
	file    string
	entry   *yaml.Node // the list item as written
	kind    string
	kindKey *yaml.Node // the kind's name node (the scalar, or the mapping key)
	args    *yaml.Node // the kind's mapping (an empty mapping when none was written)
	target  Target
	column  string // the column the check applies to ("" for table-level)
	declCol string // the column it was declared under ("" = table-level)
	level   level
	resolve Resolver

	common  commonArgs
	decoded bool
	deps    []string
}

// Parse decodes one entry of a `checks:` list (a YAML node, as written in file) for target t
// and column ("" = table-level). Forms: a scalar (`- not_null`), a one-key mapping
// (`- accepted_values: {values: [a, b], severity: warn}`, `- unique: {}`, `- unique:`), and
// for sql a scalar argument (`- sql: "select …"`). Errors carry file:line:col.
func Parse(file string, node *yaml.Node, t Target, column string, resolve Resolver) (Spec, error) {
	if node == nil {
		return Spec{}, fmt.Errorf("%s: check: no YAML node", file)
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode {
		node = node.Alias
	}
	p := &parseCtx{file: file, entry: node, target: t, declCol: column, column: column, resolve: resolve}
	var argNode *yaml.Node
	switch node.Kind {
	case yaml.ScalarNode:
		p.kindKey = node
	case yaml.MappingNode:
		if len(node.Content) != 2 {
			keys := make([]string, 0, len(node.Content)/2)
			for i := 0; i+1 < len(node.Content); i += 2 {
				keys = append(keys, node.Content[i].Value)
			}
			hint := ""
			if len(keys) > 1 {
				hint = fmt.Sprintf("; if %q is an argument of %q, indent it under %q", keys[1], keys[0], keys[0])
			}
			return Spec{}, p.failf(node, "a check is a kind name or a mapping with one key, the kind (e.g. accepted_values: {values: [a, b]}); got keys %s%s",
				strings.Join(keys, ", "), hint)
		}
		p.kindKey, argNode = node.Content[0], node.Content[1]
		if argNode.Kind == yaml.AliasNode {
			argNode = argNode.Alias
		}
	default:
		return Spec{}, p.failf(node, "a check is a kind name (e.g. not_null) or a one-key mapping (e.g. accepted_values: {values: [a, b]})")
	}
	name := p.kindKey.Value
	if canon, ok := aliases[name]; ok {
		name = canon
	}
	def, ok := kinds[name]
	if !ok {
		return Spec{}, p.failf(p.kindKey, "unknown check kind %q%s; known kinds: %s", p.kindKey.Value,
			yamlx.DidYouMean(p.kindKey.Value, Kinds()), strings.Join(Kinds(), ", "))
	}
	p.kind, p.level = name, def.level
	switch {
	case argNode == nil || (argNode.Kind == yaml.ScalarNode && argNode.Tag == "!!null"):
		p.args = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: p.kindKey.Line, Column: p.kindKey.Column}
	case argNode.Kind == yaml.MappingNode:
		p.args = argNode
	case argNode.Kind == yaml.ScalarNode && def.scalar != "":
		p.args = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: argNode.Line, Column: argNode.Column, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: def.scalar, Line: argNode.Line, Column: argNode.Column}, argNode}}
	default:
		return Spec{}, p.failf(argNode, "%s: expected a mapping of its arguments, got %s", p.kind, yamlx.KindName(argNode))
	}
	if def.level == tableLevel && p.declCol != "" {
		return Spec{}, p.failf(p.kindKey, "%s is a table-level check; declare it under the %s's checks, not under column %q", p.kind, targetKind(t), p.declCol)
	}
	chk, err := def.parse(p)
	if err != nil {
		return Spec{}, err
	}
	if !p.decoded {
		panic("checks: kind " + p.kind + " did not decode its arguments")
	}
	if def.level == columnLevel && p.column == "" {
		return Spec{}, p.failf(p.kindKey, "%s needs a column: declare it under a column, or give column: NAME", p.kind)
	}
	return p.finish(chk)
}

func targetKind(t Target) string {
	if t.Kind == "" {
		return "model"
	}
	return t.Kind
}

// decode decodes the kind's arguments strictly into args (a pointer to a struct with yaml
// tags) and the common keys into p.common. Every kind's parse function calls it once.
func (p *parseCtx) decode(args any) error {
	p.decoded = true
	known := append(keysOf(args), commonKeys...)
	if p.level == tableLevel || p.declCol != "" {
		known = without(known, "column")
	}
	if err := p.checkKeys(p.args, known); err != nil {
		return err
	}
	dec := &yamlx.Decoder{File: p.file}
	if err := dec.Decode(p.args, &p.common); err != nil {
		return p.named(err)
	}
	rest := p.common.Rest
	if p.common.Arguments != nil {
		if rest != nil && len(rest.Content) > 0 {
			return p.failf(rest.Content[0], "%s: give the arguments either under arguments: or directly, not both", p.kind)
		}
		if p.common.Arguments.Kind != yaml.MappingNode {
			return p.failf(p.common.Arguments, "%s: arguments: expected a mapping, got %s", p.kind, yamlx.KindName(p.common.Arguments))
		}
		if err := p.checkKeys(p.common.Arguments, keysOf(args)); err != nil {
			return err
		}
		rest = p.common.Arguments
	}
	if rest == nil {
		rest = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: p.args.Line, Column: p.args.Column}
	}
	if err := dec.Decode(rest, args); err != nil {
		return p.named(err)
	}
	if p.common.Config != nil {
		if err := p.mergeConfig(dec); err != nil {
			return err
		}
	}
	if p.common.Column != "" {
		p.column = p.common.Column
	}
	return nil
}

// mergeConfig folds dbt's config: block into the common keys; a setting given twice is an error.
func (p *parseCtx) mergeConfig(dec *yamlx.Decoder) error {
	var c configArgs
	if err := dec.Decode(p.common.Config, &c); err != nil {
		return p.named(err)
	}
	twice := func(key string) error {
		return p.failf(p.common.Config, "%s: %s is set both in config: and directly; keep one", p.kind, key)
	}
	if c.Severity != "" {
		if p.common.Severity != "" {
			return twice("severity")
		}
		p.common.Severity = c.Severity
	}
	if c.WarnIf != nil {
		if p.common.WarnIf != nil {
			return twice("warn_if")
		}
		p.common.WarnIf = c.WarnIf
	}
	if c.ErrorIf != nil {
		if p.common.ErrorIf != nil {
			return twice("error_if")
		}
		p.common.ErrorIf = c.ErrorIf
	}
	if c.Where != "" {
		if p.common.Where != "" {
			return twice("where")
		}
		p.common.Where = c.Where
	}
	if c.Limit != nil {
		if p.common.Sample != nil {
			return twice("sample (limit)")
		}
		p.common.Sample = c.Limit
	}
	p.common.Tags = append(p.common.Tags, c.Tags...)
	return nil
}

// checkKeys reports the first key of n not in known, with a did-you-mean over all of them.
func (p *parseCtx) checkKeys(n *yaml.Node, known []string) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if contains(known, k.Value) {
			continue
		}
		if k.Value == "column" && p.declCol != "" {
			return p.failf(k, "%s: column: is not needed here; the check is declared under column %q", p.kind, p.declCol)
		}
		return p.failf(k, "%s: unknown key %q%s; expected one of: %s", p.kind, k.Value,
			yamlx.DidYouMean(k.Value, known), strings.Join(known, ", "))
	}
	return nil
}

// named rewrites yamlx's "the document" (the top of the decoded node) as the kind's name.
func (p *parseCtx) named(err error) error {
	if es, ok := err.(yamlx.Errors); ok {
		for _, e := range es {
			if rest, ok := strings.CutPrefix(e.Msg, "the document"); ok {
				e.Msg = p.kind + rest
			} else {
				e.Msg = p.kind + ": " + e.Msg
			}
		}
		if len(es) == 1 {
			return es[0]
		}
	}
	return err
}

func (p *parseCtx) failf(n *yaml.Node, format string, args ...any) error {
	return &yamlx.Error{File: p.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// argNode returns the node of an argument key (for error positions), or the kind's node.
func (p *parseCtx) argNode(key string) *yaml.Node {
	for _, m := range []*yaml.Node{p.common.Arguments, p.args} {
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i+1]
			}
		}
	}
	return p.kindKey
}

// ref resolves a relation reference (ref('x'), source('a','b'), this) and records the dependency.
func (p *parseCtx) ref(key, expr string) (Target, error) {
	e := strings.TrimSpace(expr)
	e = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(e, "{{"), "}}"))
	if e == "this" {
		return p.target, nil
	}
	if p.resolve == nil {
		return Target{}, p.failf(p.argNode(key), "%s: %s: cannot resolve %q here (no resolver)", p.kind, key, expr)
	}
	t, err := p.resolve(e)
	if err != nil {
		return Target{}, p.failf(p.argNode(key), "%s: %s: %v", p.kind, key, err)
	}
	if t.Name != p.target.Name && !contains(p.deps, t.Name) {
		p.deps = append(p.deps, t.Name)
	}
	return t, nil
}

// finish applies the common keys and builds the Spec.
func (p *parseCtx) finish(chk checker) (Spec, error) {
	c := p.common
	sp := Spec{
		Kind: p.kind, Column: p.column, Description: c.Description, Target: p.target,
		Severity: SeverityError, Tags: c.Tags, File: p.file, Line: p.entry.Line,
		DependsOn: p.deps, Where: strings.TrimSpace(c.Where), Sample: 5, check: chk,
	}
	switch Severity(strings.ToLower(c.Severity)) {
	case "":
	case SeverityWarn:
		sp.Severity = SeverityWarn
	case SeverityError:
		sp.Severity = SeverityError
	default:
		return Spec{}, p.failf(p.argNode("severity"), "%s: severity: expected warn or error, got %q", p.kind, c.Severity)
	}
	if c.Sample != nil {
		if *c.Sample < 0 || *c.Sample > 1000 {
			return Spec{}, p.failf(p.argNode("sample"), "%s: sample: expected 0 to 1000 rows, got %d", p.kind, *c.Sample)
		}
		sp.Sample = *c.Sample
	}
	info := chk.info()
	var userWarn, userErr *condition
	for _, x := range []struct {
		key  string
		node *yaml.Node
		dst  **condition
	}{{"warn_if", c.WarnIf, &userWarn}, {"error_if", c.ErrorIf, &userErr}} {
		if x.node == nil {
			continue
		}
		if x.node.Kind != yaml.ScalarNode {
			return Spec{}, p.failf(x.node, "%s: %s: expected a condition such as \"> 0\" or \"> 5%%\", got %s", p.kind, x.key, yamlx.KindName(x.node))
		}
		cond, err := parseCondition(x.node.Value)
		if err != nil {
			return Spec{}, p.failf(x.node, "%s: %s: %v", p.kind, x.key, err)
		}
		if cond.hasPercent() && !info.rate && !info.percent {
			return Spec{}, p.failf(x.node, "%s: %s: a percent threshold needs a rate, and %s reports a count without one; write a number", p.kind, x.key, p.kind)
		}
		*x.dst = cond
	}
	sp.warnIf, sp.errorIf = effectiveConditions(info, userWarn, userErr)
	if sp.warnIf != nil {
		sp.WarnIf = sp.warnIf.String()
	}
	if sp.errorIf != nil {
		sp.ErrorIf = sp.errorIf.String()
	}
	sp.ID = p.id(c.Name)
	sp.Name = c.Name
	if sp.Name == "" {
		sp.Name = sp.ID
	}
	return sp, nil
}

// effectiveConditions combines a kind's defaults with the user's warn_if / error_if:
// with neither, the kind's natural levels (or its failure condition as the error level);
// with only error_if, smaller violations warn (the failure condition becomes the warn level,
// as in dbt); with only warn_if, the check never errors.
func effectiveConditions(info kindInfo, uw, ue *condition) (warn, fail *condition) {
	def := info.fail
	if def == nil {
		def = mustCondition("> 0")
	}
	if info.warn != nil || info.error != nil {
		warn, fail = info.warn, info.error
		if uw != nil {
			warn = uw
		}
		if ue != nil {
			fail = ue
		}
		return warn, fail
	}
	switch {
	case uw == nil && ue == nil:
		return nil, def
	case uw == nil:
		return def, ue
	default:
		return uw, ue
	}
}

// id is the user's name, or kind.target[.column][.hash].
func (p *parseCtx) id(name string) string {
	if name != "" {
		return name
	}
	id := p.kind + "." + p.target.Name
	if p.column != "" {
		id += "." + p.column
	}
	args := map[string]any{}
	for _, m := range []*yaml.Node{p.common.Rest, p.common.Arguments} {
		if m == nil {
			continue
		}
		if v, err := yamlx.Plain(m); err == nil {
			if mm, ok := v.(map[string]any); ok {
				for k, x := range mm {
					args[k] = x
				}
			}
		}
	}
	if p.common.Where != "" {
		args["where"] = strings.TrimSpace(p.common.Where)
	}
	if len(args) == 0 {
		return id
	}
	b, _ := json.Marshal(args) // map keys are sorted
	h := sha256.Sum256(b)
	return id + "." + hex.EncodeToString(h[:4])
}

// CheckIDs returns an error naming every ID used by more than one spec (with file:line).
func CheckIDs(specs []Spec) error {
	first := map[string]Spec{}
	var errs []string
	for _, s := range specs {
		if f, ok := first[s.ID]; ok {
			errs = append(errs, fmt.Sprintf("%s:%d: check %q is also declared at %s:%d; give one of them a name:", s.File, s.Line, s.ID, f.File, f.Line))
			continue
		}
		first[s.ID] = s
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

// keysOf lists the yaml keys of a struct pointer's fields.
func keysOf(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || name == "" {
			continue
		}
		out = append(out, name)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func without(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// noArgs is the argument struct of kinds without arguments of their own.
type noArgs struct{}

func yamlxDecoder(file string) *yamlx.Decoder { return &yamlx.Decoder{File: file} }
