package hubspot

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/revops/revops/internal/yamlx"
)

// config is the source's YAML block (the keys other than name and type).
type config struct {
	BaseURL                 string              `yaml:"base_url"`
	Token                   *yamlx.Secret       `yaml:"token"`
	Auth                    *authConfig         `yaml:"auth"`
	Objects                 []string            `yaml:"objects"`
	Properties              map[string][]string `yaml:"properties"`
	EngagementTypes         []string            `yaml:"engagement_types"`
	PageSize                int                 `yaml:"page_size"`
	Lookback                *time.Duration      `yaml:"lookback"`
	IndexLag                *time.Duration      `yaml:"index_lag"`
	RequestsPerSecond       *int                `yaml:"requests_per_second"`
	SearchRequestsPerSecond int                 `yaml:"search_requests_per_second"`
	Timeout                 time.Duration       `yaml:"timeout"`
}

// authConfig is an OAuth public app's credentials, for portals that install the app rather
// than create a private app: its access tokens expire (expires_in, 30 minutes), and the
// refresh token gets new ones. Each value comes from ${ENV} or ${file:PATH}.
type authConfig struct {
	// Grant is refresh_token, the only grant a server-side extractor can use unattended.
	Grant        string       `yaml:"grant,required"`
	ClientID     yamlx.Secret `yaml:"client_id"`
	ClientSecret yamlx.Secret `yaml:"client_secret"`
	RefreshToken yamlx.Secret `yaml:"refresh_token"`
}

// grantRefreshToken is the OAuth grant auth.grant names.
const grantRefreshToken = "refresh_token"

// tokenPath is HubSpot's OAuth token endpoint, on base_url.
const tokenPath = "/oauth/v1/token"

// Defaults and bounds of the configuration.
const (
	defaultBaseURL    = "https://api.hubapi.com"
	defaultPageSize   = 200 // search pages; list pages are at most 100
	defaultLookback   = 5 * time.Minute
	defaultIndexLag   = time.Minute
	defaultRPS        = 9 // ≤ 91 requests in any 10 s: under the Free/Starter 100
	maxRPS            = 19
	defaultSearchRPS  = 4 // ≤ 5 searches in any second: HubSpot's search limit
	maxSearchRPS      = 4
	defaultTimeout    = 60 * time.Second
	allProperties     = "all"
	engagementsStream = "engagements"
)

// Stream names.
const (
	streamCompanies       = "companies"
	streamContacts        = "contacts"
	streamDeals           = "deals"
	streamOwners          = "owners"
	streamPipelineStages  = "deal_pipeline_stages"
	streamStageHistory    = "deal_stage_history"
	streamPropertyHistory = "deal_property_history"
	streamEngagements     = engagementsStream
)

// streamNames lists every stream, in the default order.
func streamNames() []string {
	return []string{streamCompanies, streamContacts, streamDeals, streamOwners, streamPipelineStages,
		streamStageHistory, streamPropertyHistory, streamEngagements}
}

// engagementTypes lists the engagement object types the engagements stream can read.
func engagementTypes() []string { return []string{"calls", "emails", "meetings", "notes", "tasks"} }

func defaultEngagementTypes() []string { return []string{"calls", "emails", "meetings"} }

// settings is a validated configuration.
type settings struct {
	base            *url.URL
	token           yamlx.Secret   // a private app's token; unset with oauth
	oauth           *oauthSettings // an OAuth public app's credentials; nil with token
	streams         []string
	extra           map[string][]string // object type → extra properties to read (into _extra)
	all             map[string]bool     // object type → read every property
	engagementTypes []string
	pageSize        int
	lookback        time.Duration
	indexLag        time.Duration
	rps             int
	searchRPS       int
	timeout         time.Duration
}

// validate checks the configuration completely, reporting every problem at once; each error
// names its key. It never mentions the token's value.
func validate(source string, c config) (*settings, error) {
	var errs []error
	addf := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("hubspot source %s: %s", source, fmt.Sprintf(format, args...)))
	}
	s := &settings{extra: map[string][]string{}, all: map[string]bool{}}

	base, err := validateBaseURL(c.BaseURL)
	if err != nil {
		addf("base_url: %v", err)
	}
	s.base = base
	switch {
	case c.Token != nil && c.Auth != nil:
		addf("token and auth are both set: use token for a private app, or auth for an OAuth public app")
	case c.Token != nil:
		s.token = *c.Token
		if tok := c.Token.Reveal(); tok == "" {
			addf("token is empty: set it to the private app's access token, e.g. token: ${HUBSPOT_TOKEN}")
		} else if strings.ContainsAny(tok, " \t\r\n") {
			addf("token contains whitespace: check the variable or file it comes from")
		}
	case c.Auth != nil:
		s.oauth = c.Auth.validate(addf)
	default:
		addf(`missing required key "token": set token (a private app's access token, e.g. ${HUBSPOT_TOKEN}) or auth (an OAuth public app's grant: refresh_token, client_id, client_secret, refresh_token)`)
	}

	s.streams = c.Objects
	if len(s.streams) == 0 {
		s.streams = streamNames()
	}
	seen := map[string]bool{}
	for _, o := range s.streams {
		switch {
		case !slices.Contains(streamNames(), o):
			addf("objects: %q is not a stream this source has (valid: %s)", o, strings.Join(streamNames(), ", "))
		case seen[o]:
			addf("objects lists %s twice", o)
		}
		seen[o] = true
	}

	s.engagementTypes = c.EngagementTypes
	if len(s.engagementTypes) == 0 {
		s.engagementTypes = defaultEngagementTypes()
	} else if !seen[streamEngagements] {
		addf("engagement_types is set, but objects does not include engagements")
	}
	seenType := map[string]bool{}
	for _, t := range s.engagementTypes {
		switch {
		case !slices.Contains(engagementTypes(), t):
			addf("engagement_types: %q is not an engagement type (valid: %s)", t, strings.Join(engagementTypes(), ", "))
		case seenType[t]:
			addf("engagement_types lists %s twice", t)
		}
		seenType[t] = true
	}

	validateProperties(c.Properties, s, addf)

	s.pageSize = orInt(c.PageSize, defaultPageSize)
	if s.pageSize < 1 || s.pageSize > 200 {
		addf("page_size %d is out of range: HubSpot's search returns 1 to 200 records a page", c.PageSize)
	}
	s.lookback = orDuration(c.Lookback, defaultLookback)
	if s.lookback < 0 || s.lookback > 7*24*time.Hour {
		addf("lookback %s is out of range: use 0 to 168h (the default is %s)", s.lookback, defaultLookback)
	}
	s.indexLag = orDuration(c.IndexLag, defaultIndexLag)
	if s.indexLag < 0 || s.indexLag > 24*time.Hour {
		addf("index_lag %s is out of range: use 0 to 24h (the default is %s)", s.indexLag, defaultIndexLag)
	}
	s.rps = defaultRPS
	if c.RequestsPerSecond != nil {
		s.rps = *c.RequestsPerSecond
	}
	if s.rps < 0 || s.rps > maxRPS {
		addf("requests_per_second %d is out of range: use 1 to %d (HubSpot allows 100 to 190 requests per 10 s by tier), or 0 for no client-side pacing", s.rps, maxRPS)
	}
	s.searchRPS = orInt(c.SearchRequestsPerSecond, defaultSearchRPS)
	if s.searchRPS < 1 || s.searchRPS > maxSearchRPS {
		addf("search_requests_per_second %d is out of range: use 1 to %d (HubSpot allows 5 searches a second)", c.SearchRequestsPerSecond, maxSearchRPS)
	}
	s.timeout = c.Timeout
	if s.timeout == 0 {
		s.timeout = defaultTimeout
	}
	if s.timeout < time.Second {
		addf("timeout %s is too short: use at least 1s (the default is %s)", s.timeout, defaultTimeout)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// oauthSettings are validated OAuth public-app credentials.
type oauthSettings struct {
	clientID, clientSecret, refreshToken yamlx.Secret
}

// validate checks the auth block; its messages name keys, never values.
func (a *authConfig) validate(addf func(string, ...any)) *oauthSettings {
	if a.Grant != grantRefreshToken {
		addf("auth.grant %q must be refresh_token (HubSpot OAuth public apps; use token for a private app)", a.Grant)
	}
	for _, k := range []struct {
		key string
		v   yamlx.Secret
	}{{"client_id", a.ClientID}, {"client_secret", a.ClientSecret}, {"refresh_token", a.RefreshToken}} {
		switch v := k.v.Reveal(); {
		case v == "":
			addf("auth.%s is required for grant refresh_token, e.g. ${HUBSPOT_%s}", k.key, strings.ToUpper(k.key))
		case strings.ContainsAny(v, " \t\r\n"):
			addf("auth.%s contains whitespace: check the variable or file it comes from", k.key)
		}
	}
	return &oauthSettings{clientID: a.ClientID, clientSecret: a.ClientSecret, refreshToken: a.RefreshToken}
}

// validateProperties checks properties: a mapping from an object type (companies, contacts,
// deals or an engagement type) to extra property names, or to "all".
func validateProperties(props map[string][]string, s *settings, addf func(string, ...any)) {
	objects := append([]string{streamCompanies, streamContacts, streamDeals}, engagementTypes()...)
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, obj := range keys {
		if !slices.Contains(objects, obj) {
			addf("properties: %q is not an object with properties (valid: %s)", obj, strings.Join(objects, ", "))
			continue
		}
		for _, p := range props[obj] {
			switch {
			case p == allProperties:
				s.all[obj] = true
			case !validPropertyName(p):
				addf("properties.%s: %q is not a HubSpot property name (lower-case letters, digits and _)", obj, p)
			default:
				s.extra[obj] = append(s.extra[obj], p)
			}
		}
	}
}

func validPropertyName(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// validateBaseURL accepts an absolute https URL without query or fragment; plain http only on
// a loopback host (a fake), so that the token never crosses a network in clear text.
func validateBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = defaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", raw)
	}
	switch {
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, fmt.Errorf("%q must be an absolute http(s) URL, e.g. %s", raw, defaultBaseURL)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("%q must not carry a query, fragment or credentials", raw)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return nil, fmt.Errorf("%q uses http: use https (http is allowed only on localhost, for a fake)", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func orDuration(v *time.Duration, def time.Duration) time.Duration {
	if v == nil {
		return def
	}
	return *v
}
