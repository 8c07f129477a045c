package jinja

import (
	"reflect"
	"testing"
)

func TestCalls(t *testing.T) {
	src := `{{ config(materialized='table') }}
{% if is_incremental() %}
  select * from {{ ref('events') }}
{% elif false %}
  {{ ref('never', v=2) }}
{% else %}
  select * from {{ ref('pkg', 'events_full') }}
{% endif %}
{% for s in ['a', 'b'] %}{{ source('crm', s) }}{% endfor %}
{% macro helper(x=ref('in_default')) %}{{ ref('in_macro') }}{% endmacro %}
{% set r = ref('a' ~ 'b') %}{{ ref(name) }}{{ ref('x', version=1) }}{{ ref('y', version='2') }}
{{ 'x' if ref('cond') else ref('other') }}{{ wrap(ref('inner')) | default(ref('in_filter')) }}
{% set blk %}{{ ref('in_set_block') }}{% endset %}{% do ref('in_do') %}{{ dbt.ref('not_plain') }}`
	tmpl, err := Parse("m.sql", src)
	if err != nil {
		t.Fatal(err)
	}
	got := tmpl.Calls("ref", "source")
	want := []StaticCall{
		{Name: "ref", Args: []string{"events"}, Literal: true, Line: 3, Col: 20},
		{Name: "ref", Args: []string{"never"}, Literal: false, Line: 5, Col: 6},
		{Name: "ref", Args: []string{"pkg", "events_full"}, Literal: true, Line: 7, Col: 20},
		{Name: "source", Literal: false, Line: 9, Col: 29},
		{Name: "ref", Args: []string{"in_default"}, Literal: true, Line: 10, Col: 19},
		{Name: "ref", Args: []string{"in_macro"}, Literal: true, Line: 10, Col: 43},
		{Name: "ref", Literal: false, Line: 11, Col: 12},
		{Name: "ref", Literal: false, Line: 11, Col: 32},
		{Name: "ref", Args: []string{"x"}, Literal: false, Line: 11, Col: 47},
		{Name: "ref", Args: []string{"y"}, Literal: true, Kwargs: map[string]string{"version": "2"}, Line: 11, Col: 72},
		{Name: "ref", Args: []string{"cond"}, Literal: true, Line: 12, Col: 11},
		{Name: "ref", Args: []string{"other"}, Literal: true, Line: 12, Col: 28},
		{Name: "ref", Args: []string{"inner"}, Literal: true, Line: 12, Col: 51},
		{Name: "ref", Args: []string{"in_filter"}, Literal: true, Line: 12, Col: 75},
		{Name: "ref", Args: []string{"in_set_block"}, Literal: true, Line: 13, Col: 17},
		{Name: "ref", Args: []string{"in_do"}, Literal: true, Line: 13, Col: 57},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d calls, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("call %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if c := tmpl.Calls("config"); len(c) != 1 || !c[0].Literal || c[0].Kwargs["materialized"] != "table" || len(c[0].Args) != 0 {
		t.Errorf("config calls %+v", c)
	}
	if c := tmpl.Calls("nothing"); len(c) != 0 {
		t.Errorf("Calls(nothing) = %+v", c)
	}
}
