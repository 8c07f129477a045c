package transform

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	p := mustLoad(t, map[string]string{
		"models/staging/stg_accounts.sql": "select * from {{ source('crm','accounts') }}",
		"models/staging/stg_opps.sql":     "select * from {{ source('crm','opportunities') }}",
		"models/marts/dim_account.sql":    "{{ config(tags=['core']) }}select * from {{ ref('stg_accounts') }}",
		"models/marts/fct_pipeline.sql":   "{{ config(materialized='table', tags=['core','nightly']) }}select * from {{ ref('stg_opps') }} join {{ ref('dim_account') }} using (id)",
		"models/marts/rpt_board.sql":      "select * from {{ ref('fct_pipeline') }}",
	}, nil)
	tests := []struct {
		include, exclude []string
		want             string
	}{
		{nil, nil, "dim_account,fct_pipeline,rpt_board,source:crm.accounts,source:crm.opportunities,stg_accounts,stg_opps"},
		{[]string{"fct_pipeline"}, nil, "fct_pipeline"},
		{[]string{"+fct_pipeline"}, nil, "dim_account,fct_pipeline,source:crm.accounts,source:crm.opportunities,stg_accounts,stg_opps"},
		{[]string{"1+fct_pipeline"}, nil, "dim_account,fct_pipeline,stg_opps"},
		{[]string{"stg_accounts+"}, nil, "dim_account,fct_pipeline,rpt_board,stg_accounts"},
		{[]string{"stg_accounts+1"}, nil, "dim_account,stg_accounts"},
		{[]string{"tag:core"}, nil, "dim_account,fct_pipeline"},
		{[]string{"tag:core,tag:nightly"}, nil, "fct_pipeline"},
		{[]string{"tag:core tag:nightly"}, nil, "dim_account,fct_pipeline"},
		{[]string{"path:models/staging"}, nil, "stg_accounts,stg_opps"},
		{[]string{"path:models/marts/rpt_board.sql"}, nil, "rpt_board"},
		{[]string{"source:crm.accounts+"}, nil, "dim_account,fct_pipeline,rpt_board,source:crm.accounts,stg_accounts"},
		{[]string{"source:crm"}, nil, "source:crm.accounts,source:crm.opportunities"},
		{[]string{"crm"}, nil, "source:crm.accounts,source:crm.opportunities"},
		{[]string{"stg_*"}, nil, "stg_accounts,stg_opps"},
		{[]string{"config.materialized:table"}, nil, "fct_pipeline"},
		{[]string{"@stg_accounts"}, nil, "dim_account,fct_pipeline,rpt_board,source:crm.accounts,source:crm.opportunities,stg_accounts,stg_opps"},
		{[]string{"source:crm+"}, []string{"path:models/marts"}, "source:crm.accounts,source:crm.opportunities,stg_accounts,stg_opps"},
		{nil, []string{"source:crm", "tag:core"}, "rpt_board,stg_accounts,stg_opps"},
	}
	for _, tt := range tests {
		ids, err := p.Select(tt.include, tt.exclude)
		if err != nil {
			t.Errorf("%v - %v: %v", tt.include, tt.exclude, err)
			continue
		}
		var names []string
		for _, id := range slices.Sorted(maps.Keys(ids)) {
			if n, ok := strings.CutPrefix(id, "model."); ok {
				names = append(names, n)
			} else {
				names = append(names, "source:"+strings.TrimPrefix(id, "source."))
			}
		}
		slices.Sort(names)
		if got := strings.Join(names, ","); got != tt.want {
			t.Errorf("select %v exclude %v\n got %s\nwant %s", tt.include, tt.exclude, got, tt.want)
		}
	}
	for sel, want := range map[string]string{
		"stg_acounts":    `did you mean "stg_accounts"`,
		"tags:core":      `unknown selector method "tags"`,
		"tag:missing":    "matches nothing",
		"fct_pipeline+x": `"x" after + is not a depth`,
	} {
		if _, err := p.Select([]string{sel}, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", sel, err, want)
		}
	}
}
