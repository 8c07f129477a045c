package fake

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/internal/fakeapi"
)

const jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// tokenError is the token endpoint's error body.
type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func writeTokenError(w http.ResponseWriter, code, desc string) {
	fakeapi.WriteJSON(w, http.StatusBadRequest, tokenError{Error: code, Description: desc})
}

// handleToken is POST /services/oauth2/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeTokenError(w, "invalid_request", "malformed request body")
		return
	}
	f := r.PostForm
	id, secret := f.Get("client_id"), f.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	var user string
	switch grant := f.Get("grant_type"); grant {
	case "":
		writeTokenError(w, "invalid_request", "grant type is missing")
		return
	case "client_credentials":
		c, ok := s.client(id)
		switch {
		case !ok:
			writeTokenError(w, "invalid_client_id", "client identifier invalid")
			return
		case secret == "" || !hmac.Equal([]byte(secret), []byte(c.Secret)):
			writeTokenError(w, "invalid_client", "invalid client credentials")
			return
		case c.Username == "":
			writeTokenError(w, "invalid_grant", "no client credentials user enabled")
			return
		}
		user = c.Username
	case "refresh_token":
		c, ok := s.client(id)
		switch {
		case !ok:
			writeTokenError(w, "invalid_client_id", "client identifier invalid")
			return
		case secret != "" && !hmac.Equal([]byte(secret), []byte(c.Secret)):
			writeTokenError(w, "invalid_client", "invalid client credentials")
			return
		case f.Get("refresh_token") == "" || !contains(c.RefreshTokens, f.Get("refresh_token")):
			writeTokenError(w, "invalid_grant", "expired access/refresh token")
			return
		}
		user = c.Username
	case jwtGrant:
		u, code, desc := s.checkAssertion(f.Get("assertion"), baseURL(r))
		if code != "" {
			writeTokenError(w, code, desc)
			return
		}
		user = u
	default:
		writeTokenError(w, "unsupported_grant_type", "grant type not supported")
		return
	}
	s.mu.Lock()
	ttl := s.knobs.SessionTimeout
	s.mu.Unlock()
	tok := s.orgID[:15] + "!" + s.Tokens.Issue(ttl)
	base := baseURL(r)
	now := s.clock.Now()
	sig := hmac.New(sha256.New, []byte(s.orgID))
	sig.Write([]byte(base + strconv.FormatInt(now.UnixMilli(), 10)))
	userID := "005FK" + base62(uint64(len(user)), 10)
	fakeapi.WriteJSON(w, http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
		ID          string `json:"id"`
		TokenType   string `json:"token_type"`
		IssuedAt    string `json:"issued_at"`
		Signature   string `json:"signature"`
		Scope       string `json:"scope"`
	}{tok, base, base + "/id/" + s.orgID + "/" + userID + idSuffix(userID), "Bearer",
		strconv.FormatInt(now.UnixMilli(), 10), base64.StdEncoding.EncodeToString(sig.Sum(nil)), "api"})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if hmac.Equal([]byte(x), []byte(v)) {
			return true
		}
	}
	return false
}

func (s *Server) client(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok && id != ""
}

// checkAssertion verifies a JWT bearer assertion: RS256 header, signature by the client's
// public key, iss = client_id, sub = the client's user, aud = a Salesforce login URL or the
// fake's own, exp in the future (at most 3 minutes ahead, as Salesforce requires).
func (s *Server) checkAssertion(assertion, self string) (user, code, desc string) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", "invalid_grant", "invalid assertion"
	}
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
		Exp json.Number     `json:"exp"`
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return "", "invalid_grant", "invalid assertion"
	}
	if header.Alg != "RS256" {
		return "", "invalid_grant", "invalid assertion: algorithm must be RS256"
	}
	c, ok := s.client(claims.Iss)
	if !ok {
		return "", "invalid_client_id", "client identifier invalid"
	}
	if c.PublicKey == nil {
		return "", "invalid_grant", "invalid assertion: no certificate registered for this client"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", "invalid_grant", "invalid assertion"
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(c.PublicKey, crypto.SHA256, digest[:], sig) != nil {
		return "", "invalid_grant", "invalid assertion: signature does not verify"
	}
	if !audienceOK(claims.Aud, self) {
		return "", "invalid_grant", "audience is invalid"
	}
	exp, err := claims.Exp.Int64()
	now := s.clock.Now()
	if err != nil || !time.Unix(exp, 0).After(now) {
		return "", "invalid_grant", "expired authorization code"
	}
	if time.Unix(exp, 0).After(now.Add(3*time.Minute + 30*time.Second)) {
		return "", "invalid_grant", "invalid assertion: exp must be within 3 minutes"
	}
	if claims.Sub == "" || claims.Sub != c.Username {
		return "", "invalid_grant", "user hasn't approved this consumer"
	}
	return claims.Sub, "", ""
}

func audienceOK(raw json.RawMessage, self string) bool {
	var auds []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw, &auds) != nil {
		return false
	}
	for _, a := range auds {
		a = strings.TrimSuffix(a, "/")
		if a == "https://login.salesforce.com" || a == "https://test.salesforce.com" || a == self {
			return true
		}
	}
	return false
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	return dec.Decode(v)
}

// parsePublicKey reads an RSA public key from PEM (PKIX "PUBLIC KEY", PKCS#1 "RSA PUBLIC KEY",
// or a certificate).
func parsePublicKey(text string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("public_key_pem: no PEM block")
	}
	switch block.Type {
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public_key_pem: %w", err)
		}
		if k, ok := cert.PublicKey.(*rsa.PublicKey); ok {
			return k, nil
		}
	default:
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public_key_pem: %w", err)
		}
		if rk, ok := k.(*rsa.PublicKey); ok {
			return rk, nil
		}
	}
	return nil, errors.New("public_key_pem: not an RSA key")
}
