package config

import (
	"encoding/json"
	"fmt"
	"testing"
)

func fmtV(v any) string { return fmt.Sprintf("%v %+v %#v", v, v, v) }

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
