package salesforce

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/revops/revops/internal/yamlx"
)

// Config is the source's YAML block (the keys besides name and type).
type Config struct {
	// LoginURL is the OAuth host: https://login.salesforce.com (default), https://test.salesforce.com
	// or the org's My Domain URL (required for client_credentials).
	LoginURL string `yaml:"login_url"`
	// APIVersion is the REST version, "v62.0" or "62.0" (default v62.0).
	APIVersion string `yaml:"api_version"`
	// Auth is required in mode api; mode files reads no API and needs none (it is validated
	// when present, so that one block can switch between the modes).
	Auth *AuthConfig `yaml:"auth"`
	// Mode is api (default: the REST and Bulk APIs) or files (Data Loader or Bulk API 2.0 CSV
	// exports on disk, for backfills; see Files).
	Mode string `yaml:"mode"`
	// Files locates the CSV exports read in mode files.
	Files *FilesConfig `yaml:"files"`
	// Objects are the sObjects to extract (default: DefaultObjects).
	Objects []string `yaml:"objects"`
	// PageSize is the Sforce-Query-Options batchSize hint, 200..2000 (default 2000).
	PageSize int `yaml:"page_size"`
	// Bulk is auto (default: Bulk API 2.0 when a window holds more than BulkThreshold records,
	// or when REST times out on a window that cannot shrink), off, or always.
	Bulk string `yaml:"bulk"`
	// BulkThreshold is the record count above which auto uses Bulk (default 100,000).
	BulkThreshold int `yaml:"bulk_threshold"`
	// BulkPollInterval is the wait between Bulk job status polls (default 2s).
	BulkPollInterval time.Duration `yaml:"bulk_poll_interval"`
	// BulkTimeout bounds the wait for one Bulk job (default 1h).
	BulkTimeout time.Duration `yaml:"bulk_timeout"`
	// SafetyLag keeps each window's upper bound this far behind now, so that records whose
	// commit lags their SystemModstamp are read by a later run (default 2m).
	SafetyLag *time.Duration `yaml:"safety_lag"`
	// Lookback re-reads this much before the saved cursor on each run (default 5m).
	Lookback *time.Duration `yaml:"lookback"`
	// RequestsPerSecond spaces API requests (0, the default: no limit).
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// APIReserve stops a run cleanly when fewer daily API requests than this remain
	// (from Sforce-Limit-Info), leaving them to other integrations (default 0).
	APIReserve int `yaml:"api_reserve"`
	// ReconcileDeletes calls getDeleted each run to catch records deleted and purged from the
	// recycle bin (or hard-deleted) between runs (default true).
	ReconcileDeletes *bool `yaml:"reconcile_deletes"`
	// Timeout bounds one HTTP request (default 2m).
	Timeout time.Duration `yaml:"timeout"`
	// MaxAttempts bounds the sends of one request on retryable failures (default 8).
	MaxAttempts int `yaml:"max_attempts"`
	// BulkMaxRecords is the maxRecords of each Bulk result page (default: Salesforce's choice).
	BulkMaxRecords int `yaml:"bulk_max_records"`
	// ExcludeFields leaves fields out of the SELECT list, by object (e.g. to keep a very wide
	// object's query URL under Salesforce's limit): {Account: [Big_Notes__c]}.
	ExcludeFields map[string][]string `yaml:"exclude_fields"`
}

// FilesConfig locates the CSV exports that mode files reads: one file per object, exported by
// Data Loader (upper-case headers such as ID,NAME,SYSTEMMODSTAMP) or saved from Bulk API 2.0
// query results (exact-case API names).
type FilesConfig struct {
	// Dir holds the exports; relative paths below are relative to it.
	Dir string `yaml:"dir,required"`
	// Pattern names each object's file, {object} standing for the API name (default
	// "{object}.csv": Account.csv, Renewal__c.csv).
	Pattern string `yaml:"pattern"`
	// Paths overrides Pattern for some objects: {Account: accounts-2026-01-05.csv}.
	Paths map[string]string `yaml:"paths"`
	// DescribeDir, when set, holds each object's describe saved from
	// sobjects/X/describe as <Object>.json: the columns then get exactly the names and types an
	// API read gives. Without it, types come from a built-in map of standard fields, and
	// fields it does not know (custom __c fields included) are strings.
	DescribeDir string `yaml:"describe_dir"`
}

// AuthConfig chooses the OAuth 2.0 grant and carries its credentials.
type AuthConfig struct {
	// Grant is client_credentials, refresh_token or jwt.
	Grant        string       `yaml:"grant,required"`
	ClientID     yamlx.Secret `yaml:"client_id"`
	ClientSecret yamlx.Secret `yaml:"client_secret"`
	RefreshToken yamlx.Secret `yaml:"refresh_token"`
	// Username is the JWT subject (the integration user).
	Username string `yaml:"username"`
	// PrivateKey is the PEM RSA key (PKCS#1 or PKCS#8) that signs JWT assertions; use
	// ${file:path/to/key.pem}.
	PrivateKey yamlx.Secret `yaml:"private_key"`
	// Audience is the JWT aud (default: https://test.salesforce.com for sandbox login URLs,
	// https://login.salesforce.com for other salesforce.com hosts, else the login URL).
	Audience string `yaml:"audience"`
}

// DefaultObjects returns the objects extracted when the objects key is not set.
func DefaultObjects() []string {
	return []string{"Account", "Contact", "Lead", "Opportunity", "OpportunityHistory",
		"OpportunityLineItem", "User", "Task", "Event", "OpportunityStage"}
}

// Grants.
const (
	GrantClientCredentials = "client_credentials"
	GrantRefreshToken      = "refresh_token"
	GrantJWT               = "jwt"
)

// Modes.
const (
	ModeAPI   = "api"
	ModeFiles = "files"
)

// Bulk modes.
const (
	BulkAuto   = "auto"
	BulkOff    = "off"
	BulkAlways = "always"
)

var (
	versionRE = regexp.MustCompile(`^v?(\d{2,3}\.\d)$`)
	objectRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// settings is a validated configuration.
type settings struct {
	loginURL      string
	mode          string
	files         *filesSettings
	version       string // v62.0
	grant         string
	clientID      string
	clientSecret  string
	refreshToken  string
	username      string
	privateKey    *rsa.PrivateKey
	audience      string
	objects       []string
	pageSize      int
	bulk          string
	bulkThreshold int
	bulkPoll      time.Duration
	bulkTimeout   time.Duration
	safetyLag     time.Duration
	lookback      time.Duration
	rps           float64
	apiReserve    int
	reconcile     bool
	timeout       time.Duration
	maxAttempts   int
	bulkMax       int
}

// validate checks c completely, without I/O, and reports every problem, each naming its key.
func (c Config) validate() (*settings, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s := &settings{
		loginURL: strings.TrimSuffix(c.LoginURL, "/"), pageSize: c.PageSize, bulk: c.Bulk,
		bulkThreshold: c.BulkThreshold, bulkPoll: c.BulkPollInterval, bulkTimeout: c.BulkTimeout,
		safetyLag: 2 * time.Minute, lookback: 5 * time.Minute, rps: c.RequestsPerSecond,
		apiReserve: c.APIReserve, reconcile: true, timeout: c.Timeout, maxAttempts: c.MaxAttempts,
	}
	if s.loginURL == "" {
		s.loginURL = "https://login.salesforce.com"
	}
	u, err := url.Parse(s.loginURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || (u.Path != "" && u.Path != "/") {
		bad("login_url %q must be an https URL of a host, e.g. https://login.salesforce.com or https://acme.my.salesforce.com", c.LoginURL)
	}
	s.version = "v62.0"
	if c.APIVersion != "" {
		m := versionRE.FindStringSubmatch(c.APIVersion)
		if m == nil {
			bad("api_version %q must look like v62.0", c.APIVersion)
		} else {
			s.version = "v" + m[1]
		}
	}
	s.mode = c.Mode
	switch s.mode {
	case "":
		s.mode = ModeAPI
	case ModeAPI, ModeFiles:
	default:
		bad("mode %q must be api or files", c.Mode)
	}
	switch {
	case c.Auth != nil:
		errs = append(errs, c.Auth.validate(s, u)...)
	case s.mode != ModeFiles:
		bad(`missing required key "auth" (mode api reads the API; set mode: files to read CSV exports instead)`)
	}
	s.objects = c.Objects
	if s.objects == nil {
		s.objects = DefaultObjects()
	}
	errs = append(errs, validateObjects(s.objects)...)
	switch {
	case s.mode == ModeFiles && c.Files == nil:
		bad("files is required with mode files: files: {dir: path/to/exports}")
	case s.mode != ModeFiles && c.Files != nil:
		bad("files is set but mode is %s: set mode: files to read the exports", s.mode)
	case c.Files != nil:
		var ferrs []error
		s.files, ferrs = c.Files.validate(s.objects)
		errs = append(errs, ferrs...)
	}
	switch {
	case s.pageSize == 0:
		s.pageSize = 2000
	case s.pageSize < 200 || s.pageSize > 2000:
		bad("page_size %d must be between 200 and 2000 (Salesforce's batchSize range)", c.PageSize)
	}
	switch s.bulk {
	case "":
		s.bulk = BulkAuto
	case BulkAuto, BulkOff, BulkAlways:
	default:
		bad("bulk %q must be auto, off or always", c.Bulk)
	}
	switch {
	case s.bulkThreshold == 0:
		s.bulkThreshold = 100_000
	case s.bulkThreshold < 0:
		bad("bulk_threshold %d must be positive (set bulk: off to never use the Bulk API)", c.BulkThreshold)
	}
	positive := func(key string, v *time.Duration, def time.Duration) {
		switch {
		case *v == 0:
			*v = def
		case *v < 0:
			bad("%s %s must be positive", key, *v)
		}
	}
	positive("bulk_poll_interval", &s.bulkPoll, 2*time.Second)
	positive("bulk_timeout", &s.bulkTimeout, time.Hour)
	positive("timeout", &s.timeout, 2*time.Minute)
	if c.SafetyLag != nil {
		if s.safetyLag = *c.SafetyLag; s.safetyLag < 0 {
			bad("safety_lag %s must not be negative", s.safetyLag)
		}
	}
	if c.Lookback != nil {
		if s.lookback = *c.Lookback; s.lookback < 0 {
			bad("lookback %s must not be negative", s.lookback)
		}
	}
	if s.rps < 0 {
		bad("requests_per_second %v must not be negative", s.rps)
	}
	if s.apiReserve < 0 {
		bad("api_reserve %d must not be negative", s.apiReserve)
	}
	if c.ReconcileDeletes != nil {
		s.reconcile = *c.ReconcileDeletes
	}
	if s.bulkMax = c.BulkMaxRecords; s.bulkMax < 0 {
		bad("bulk_max_records %d must be positive", c.BulkMaxRecords)
	}
	switch {
	case s.maxAttempts == 0:
		s.maxAttempts = 8
	case s.maxAttempts < 1:
		bad("max_attempts %d must be at least 1", c.MaxAttempts)
	}
	return s, errors.Join(errs...)
}

func (a AuthConfig) validate(s *settings, login *url.URL) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	s.grant, s.clientID, s.clientSecret = a.Grant, a.ClientID.Reveal(), a.ClientSecret.Reveal()
	s.refreshToken, s.username, s.audience = a.RefreshToken.Reveal(), a.Username, a.Audience
	required := func(key string, set bool) {
		if !set {
			bad("auth.%s is required for grant %s", key, a.Grant)
		}
	}
	unused := func(key string, set bool) {
		if set {
			bad("auth.%s is not used by grant %s: remove it", key, a.Grant)
		}
	}
	switch a.Grant {
	case GrantClientCredentials:
		required("client_id", a.ClientID.IsSet())
		required("client_secret", a.ClientSecret.IsSet())
		unused("refresh_token", a.RefreshToken.IsSet())
		unused("username", a.Username != "")
		unused("private_key", a.PrivateKey.IsSet())
		unused("audience", a.Audience != "")
		if login != nil && (login.Host == "login.salesforce.com" || login.Host == "test.salesforce.com") {
			bad("login_url: grant client_credentials needs the org's My Domain URL (https://yourdomain.my.salesforce.com), not %s", login.Host)
		}
	case GrantRefreshToken:
		required("client_id", a.ClientID.IsSet())
		required("refresh_token", a.RefreshToken.IsSet())
		unused("username", a.Username != "")
		unused("private_key", a.PrivateKey.IsSet())
		unused("audience", a.Audience != "")
	case GrantJWT:
		required("client_id", a.ClientID.IsSet())
		required("username", a.Username != "")
		required("private_key", a.PrivateKey.IsSet())
		unused("client_secret", a.ClientSecret.IsSet())
		unused("refresh_token", a.RefreshToken.IsSet())
		if a.PrivateKey.IsSet() {
			k, err := parsePrivateKey(a.PrivateKey.Reveal())
			if err != nil {
				bad("auth.private_key: %v", err)
			}
			s.privateKey = k
		}
		if s.audience == "" && login != nil {
			s.audience = defaultAudience(login)
		}
	default:
		bad("auth.grant %q must be client_credentials, refresh_token or jwt", a.Grant)
	}
	return errs
}

// defaultAudience is the JWT aud Salesforce expects for a login URL.
func defaultAudience(login *url.URL) string {
	h := strings.ToLower(login.Host)
	switch {
	case h == "test.salesforce.com" || strings.HasSuffix(h, ".sandbox.my.salesforce.com"):
		return "https://test.salesforce.com"
	case strings.HasSuffix(h, "salesforce.com"):
		return "https://login.salesforce.com"
	}
	return login.Scheme + "://" + login.Host
}

// parsePrivateKey reads a PEM RSA private key. Its errors never quote the key.
func parsePrivateKey(text string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("not a PEM private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----; use ${file:path/to/key.pem})")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("the %s PEM block is not a PKCS#1 or PKCS#8 private key", block.Type)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("the private key is not an RSA key (Salesforce's JWT flow needs RS256)")
	}
	return rk, nil
}

func validateObjects(objects []string) []error {
	var errs []error
	if len(objects) == 0 {
		return []error{errors.New("objects is empty: list sObject API names, or remove the key for the default set")}
	}
	seen := map[string]string{}
	for _, o := range objects {
		if !objectRE.MatchString(o) {
			errs = append(errs, fmt.Errorf("objects: %q is not an sObject API name (letters, digits and _, e.g. Account or Invoice__c)", o))
			continue
		}
		name := streamName(o)
		if prev, dup := seen[name]; dup {
			errs = append(errs, fmt.Errorf("objects: %s and %s both map to stream %s", prev, o, name))
		}
		seen[name] = o
	}
	return errs
}
