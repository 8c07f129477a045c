package salesforce

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/extract"
)

func validConfig() m {
	return m{
		"login_url": "https://acme.my.salesforce.com",
		"auth":      m{"grant": "client_credentials", "client_id": "cid", "client_secret": "top-secret-value"},
	}
}

func newFrom(c m) (*Source, error) {
	return NewWithOptions(extract.Config{Name: "crm", Decode: decodeFrom(c), Now: time.Now}, Options{})
}

// Every invalid setting is reported, naming its key; New does no I/O.
func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name string
		edit func(c m)
		want []string
	}{
		{"unknown key", func(c m) { c["pagesize"] = 500 }, []string{`unknown key "pagesize"`, "page_size"}},
		{"auth missing", func(c m) { delete(c, "auth") }, []string{`missing required key "auth"`}},
		{"bad grant", func(c m) { c["auth"] = m{"grant": "password"} }, []string{"auth.grant", "password"}},
		{"client secret missing", func(c m) { c["auth"] = m{"grant": "client_credentials", "client_id": "x"} }, []string{"auth.client_secret is required"}},
		{"client_credentials on login.salesforce.com", func(c m) { c["login_url"] = "https://login.salesforce.com" }, []string{"login_url", "My Domain"}},
		{"key of another grant", func(c m) {
			c["auth"] = m{"grant": "client_credentials", "client_id": "x", "client_secret": "y", "refresh_token": "z"}
		}, []string{"auth.refresh_token is not used by grant client_credentials"}},
		{"refresh token missing", func(c m) { c["auth"] = m{"grant": "refresh_token", "client_id": "x"} }, []string{"auth.refresh_token is required"}},
		{"jwt key missing", func(c m) { c["auth"] = m{"grant": "jwt", "client_id": "x", "username": "u@x"} }, []string{"auth.private_key is required"}},
		{"jwt username missing", func(c m) { c["auth"] = m{"grant": "jwt", "client_id": "x", "private_key": privateKeyPEM()} }, []string{"auth.username is required"}},
		{"jwt key not PEM", func(c m) {
			c["auth"] = m{"grant": "jwt", "client_id": "x", "username": "u@x", "private_key": "not-a-key-secret-text"}
		}, []string{"auth.private_key: not a PEM"}},
		{"login_url not a URL", func(c m) { c["login_url"] = "acme.my.salesforce.com" }, []string{"login_url"}},
		{"api_version", func(c m) { c["api_version"] = "62" }, []string{"api_version"}},
		{"page_size", func(c m) { c["page_size"] = 100 }, []string{"page_size 100"}},
		{"bulk", func(c m) { c["bulk"] = "sometimes" }, []string{`bulk "sometimes"`}},
		{"bulk_threshold", func(c m) { c["bulk_threshold"] = -5 }, []string{"bulk_threshold"}},
		{"bulk_max_records", func(c m) { c["bulk_max_records"] = -1 }, []string{"bulk_max_records"}},
		{"safety_lag", func(c m) { c["safety_lag"] = "-1m" }, []string{"safety_lag"}},
		{"lookback", func(c m) { c["lookback"] = "-5m" }, []string{"lookback"}},
		{"timeout", func(c m) { c["timeout"] = "-1s" }, []string{"timeout"}},
		{"requests_per_second", func(c m) { c["requests_per_second"] = -1 }, []string{"requests_per_second"}},
		{"api_reserve", func(c m) { c["api_reserve"] = -1 }, []string{"api_reserve"}},
		{"max_attempts", func(c m) { c["max_attempts"] = -2 }, []string{"max_attempts"}},
		{"objects empty", func(c m) { c["objects"] = []string{} }, []string{"objects is empty"}},
		{"object name", func(c m) { c["objects"] = []string{"Bad-Name"} }, []string{"objects", "Bad-Name"}},
		{"objects collide", func(c m) { c["objects"] = []string{"Account", "account"} }, []string{"both map to stream account"}},
		{"exclude unknown object", func(c m) { c["exclude_fields"] = m{"Foo": []string{"Bar"}} }, []string{"exclude_fields: Foo"}},
		{"exclude a key field", func(c m) { c["exclude_fields"] = m{"Account": []string{"SystemModstamp"}} }, []string{"Account.SystemModstamp", "cannot be excluded"}},
		{"several at once", func(c m) { c["page_size"] = 5; c["bulk"] = "x" }, []string{"page_size", "bulk"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := validConfig()
			c.edit(cfg)
			_, err := newFrom(cfg)
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			for _, secret := range []string{"top-secret-value", "not-a-key-secret-text", privateKeyPEM()[40:80]} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a credential: %v", err)
				}
			}
		})
	}
}

func TestConfigDefaultsAndStreams(t *testing.T) {
	src, err := newFrom(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	s := src.set
	if s.version != "v62.0" || s.pageSize != 2000 || s.bulk != BulkAuto || s.bulkThreshold != 100_000 ||
		s.safetyLag != 2*time.Minute || s.lookback != 5*time.Minute || !s.reconcile || s.maxAttempts != 8 {
		t.Errorf("defaults = %+v", s)
	}
	var names, deleted []string
	for _, st := range src.Streams() {
		names = append(names, st.Name)
		if st.DeletedField != "" {
			deleted = append(deleted, st.Name)
		}
	}
	want := []string{"account", "contact", "lead", "opportunity", "opportunity_history", "opportunity_line_item",
		"user", "task", "event", "opportunity_stage"}
	if !slices.Equal(names, want) {
		t.Errorf("streams = %v, want %v", names, want)
	}
	if slices.Contains(deleted, "user") || slices.Contains(deleted, "opportunity_stage") || len(deleted) != 8 {
		t.Errorf("streams with is_deleted = %v", deleted)
	}

	c := validConfig()
	c["api_version"] = "58.0"
	c["auth"] = m{"grant": "jwt", "client_id": "x", "username": "u@x", "private_key": privateKeyPEM()}
	c["login_url"] = "https://test.salesforce.com/"
	src, err = newFrom(c)
	if err != nil {
		t.Fatal(err)
	}
	if src.set.version != "v58.0" || src.set.audience != "https://test.salesforce.com" || src.set.loginURL != "https://test.salesforce.com" {
		t.Errorf("settings = %+v", src.set)
	}
}
