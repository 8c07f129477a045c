package jinja

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

const dbtModel = `{{ config(materialized='incremental', unique_key='id') }}
{% set cols = ['a', 'b'] %}
select {% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ ref('stg') }}
{% if is_incremental() %} where updated_at > (select max(updated_at) from {{ this }}){% endif %}
`

// modelEnv is a small version of what the transform engine gives a model.
func modelEnv(incremental bool, configs *[]map[string]any) *Env {
	return &Env{Globals: map[string]any{
		"config": Func(func(c *Call) (any, error) {
			if len(c.Args) > 0 {
				return nil, fmt.Errorf("takes keyword arguments only")
			}
			if configs != nil {
				*configs = append(*configs, c.Kwargs)
			}
			return "", nil
		}),
		"ref": Func(func(c *Call) (any, error) {
			name, err := c.String(0)
			if err != nil {
				return nil, err
			}
			return relation{"main", name}, nil
		}),
		"is_incremental": Func(func(*Call) (any, error) { return incremental, nil }),
		"this":           relation{"analytics", "orders"},
	}}
}

func TestDbtModel(t *testing.T) {
	tmpl, err := Parse("models/orders.sql", dbtModel)
	if err != nil {
		t.Fatal(err)
	}
	var configs []map[string]any
	got, err := tmpl.Render(modelEnv(true, &configs))
	if err != nil {
		t.Fatal(err)
	}
	want := "\n\nselect a, b\nfrom \"main\".\"stg\"\n" +
		" where updated_at > (select max(updated_at) from \"analytics\".\"orders\")\n"
	if got != want {
		t.Errorf("incremental:\n got %q\nwant %q", got, want)
	}
	if len(configs) != 1 || configs[0]["materialized"] != "incremental" || configs[0]["unique_key"] != "id" {
		t.Errorf("config calls %v", configs)
	}
	got, err = tmpl.Render(modelEnv(false, nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\n\nselect a, b\nfrom \"main\".\"stg\"\n\n"; got != want {
		t.Errorf("full:\n got %q\nwant %q", got, want)
	}
	calls := tmpl.Calls("ref")
	if len(calls) != 1 || calls[0].Args[0] != "stg" || calls[0].Line != 4 || calls[0].Col != 9 {
		t.Errorf("Calls(ref) = %+v", calls)
	}
}

func TestConcurrentRender(t *testing.T) {
	tmpl, err := Parse("m.sql", dbtModel+
		"{% set acc = [] %}{% for i in range(50) %}{% do acc.append(i) %}{% endfor %}{{ acc | length }}"+
		"{% set ns = namespace(n=0) %}{% for x in shared %}{% set ns.n = ns.n + 1 %}{% do shared.append(x) %}{% endfor %}{{ ns.n }}{{ shared | length }}"+
		"{% macro m(x) %}{{ return([x] + [x]) }}{% endmacro %}{{ m(1) }}")
	if err != nil {
		t.Fatal(err)
	}
	shared := modelEnv(true, nil) // the same Env for every goroutine
	shared.Globals["shared"] = []any{"a", "b"}
	want, err := tmpl.Render(shared)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(want, "5024[1, 1]") {
		t.Fatalf("render %q", want)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			env := shared
			if g%2 == 1 {
				env = modelEnv(true, nil) // and different Envs
				env.Globals["shared"] = []any{"a", "b"}
			}
			for i := 0; i < 50; i++ {
				got, err := tmpl.Render(env)
				if err != nil || got != want {
					errs <- fmt.Errorf("goroutine %d: %q, %v", g, got, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if l := shared.Globals["shared"].([]any); len(l) != 2 {
		t.Errorf("a Go list was modified: %v", l)
	}
}

// benchModel is a realistic ~100-line model.
func benchModel() string {
	var b strings.Builder
	b.WriteString(`{{ config(materialized='incremental', unique_key='order_id') }}
{#- A realistic model: CTEs, loops over columns, a macro, conditionals. -#}
{% set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] %}
{% set amount_cols = {'amount': 'numeric', 'tax': 'numeric', 'shipping': 'numeric'} %}
{% macro cents(col, scale=2) -%}
    round({{ col }} / 100.0, {{ scale }})
{%- endmacro %}

with orders as (
    select * from {{ ref('stg_orders') }}
    {% if is_incremental() %}
    where updated_at > (select max(updated_at) from {{ this }})
    {% endif %}
),

payments as (
    select * from {{ ref('stg_payments') }}
),

order_payments as (
    select
        order_id,
        {% for method in payment_methods -%}
        sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from payments
    group by order_id
),
`)
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&b, `
step_%d as (
    select
        {%% for col, typ in amount_cols.items() %%}{{ cents(col) }}::{{ typ }} as {{ col }}_%d,
        {%% endfor %%}
        {{ 'o.order_id' | upper }} as id_%d
    from {{ ref('stg_orders') }} o
),
`, i, i, i)
	}
	b.WriteString(`
final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_date,
        {% for method in payment_methods -%}
        order_payments.{{ method }}_amount,
        {% endfor -%}
        order_payments.total_amount as amount
    from orders
    left join order_payments on orders.order_id = order_payments.order_id
)

select * from final
`)
	return b.String()
}

func BenchmarkParseRender(b *testing.B) {
	src := benchModel()
	env := modelEnv(true, nil)
	if n := strings.Count(src, "\n"); n < 90 {
		b.Fatalf("model has %d lines", n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tmpl, err := Parse("models/orders.sql", src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tmpl.Render(env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	tmpl, err := Parse("models/orders.sql", benchModel())
	if err != nil {
		b.Fatal(err)
	}
	env := modelEnv(true, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := tmpl.Render(env); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchModel keeps the benchmark's model rendering correctly.
func TestBenchModel(t *testing.T) {
	tmpl, err := Parse("models/orders.sql", benchModel())
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render(modelEnv(true, nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount\n",
		"round(amount / 100.0, 2)::numeric as amount_11,",
		"O.ORDER_ID as id_0",
		`from "analytics"."orders"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
