package demo

// checks.go: the checks the demo project declares on its sources — one per kind of planted dirt,
// and a freshness SLA that the demo's data (frozen at as_of_date) keeps failing — so that
// `revops run` and `revops check` on the demo report what was planted. They are warnings: the
// demo's job is to show them, not to fail `make demo`.

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// checksFile is the schema file holding the demo's checks.
const checksFile = "models/sources.yml"

// writeChecks writes checksFile into the project directory dir.
func writeChecks(dir string, asOf time.Time, vendors bool) error {
	text := fmt.Sprintf(`# Data-quality checks on the demo's CRM and billing extracts. Each finds one kind of planted
# dirt; all warn rather than fail, so that the demo run succeeds while it shows them.
version: 2
sources:
  - name: crm
    tables:
      - name: accounts
        description: CRM accounts, soft-deleted rows included.
        columns:
          - name: account_id
            checks: [not_null, unique]
          - name: domain
            checks:
              - duplicate_rate: {name: duplicate_accounts, normalize: domain, where: "not is_deleted", severity: warn}
          - name: is_deleted
            checks:
              - accepted_values: {name: soft_deleted_accounts, values: [false], quote: false, severity: warn}
      - name: contacts
        columns:
          - name: contact_id
            checks: [unique]
          - name: email
            checks:
              - duplicate_rate: {name: duplicate_contacts, normalize: email, severity: warn}
          - name: account_id
            checks:
              - relationships: {name: orphan_contacts, to: "source('crm', 'accounts')", field: account_id, severity: warn}
      - name: opportunities
        checks:
          - freshness: {name: opportunities_freshness, column: last_modified_at, time_zone: UTC, warn_after: 24h, error_after: 72h, severity: warn}
          - sql:
              name: open_past_close_date
              severity: warn
              query: >
                select opportunity_id from {{ source('crm', 'opportunities') }}
                where not is_closed and close_date < date '%s'
        columns:
          - name: opportunity_id
            checks: [not_null, unique]
          - name: amount
            checks:
              - not_null_from_stage:
                  name: missing_amount
                  stage_column: stage_name
                  stages: [Prospecting, Discovery, Proposal, Negotiation, Closed Won, Closed Lost]
                  from: Proposal
                  severity: warn
              - range: {name: zero_amount_won, min: 0.01, where: "stage_name = 'Closed Won'", severity: warn}
          - name: close_date
            checks:
              - not_null_from_stage:
                  name: missing_close_date
                  stage_column: stage_name
                  stages: [Prospecting, Discovery, Proposal, Negotiation, Closed Won, Closed Lost]
                  from: Proposal
                  severity: warn
`, asOf.Format(time.DateOnly))
	if vendors {
		text = fmt.Sprintf(vendorChecks, asOf.Format(time.DateOnly))
	}
	path := filepath.Join(dir, checksFile)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", checksFile, err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", checksFile, err)
	}
	return nil
}

// vendorChecks are the same checks on the Salesforce tables of the vendor demo.
const vendorChecks = `# Data-quality checks on the demo's Salesforce extract. Each finds one kind of planted dirt; all
# warn rather than fail, so that the demo run succeeds while it shows them.
version: 2
sources:
  - name: crm
    tables:
      - name: account
        description: Salesforce accounts, soft-deleted rows (the recycle bin) included.
        checks:
          # The live accounts loaded equal Salesforce's own count (SELECT COUNT(), taken by
          # the connector right after the extract).
          - extract_totals: {name: accounts_match_salesforce, where: "not is_deleted"}
        columns:
          - name: id
            checks: [not_null, unique]
          - name: website
            checks:
              - duplicate_rate: {name: duplicate_accounts, normalize: domain, where: "not is_deleted", severity: warn}
          - name: is_deleted
            checks:
              - accepted_values: {name: soft_deleted_accounts, values: [false], quote: false, severity: warn}
      - name: contact
        columns:
          - name: id
            checks: [unique]
          - name: email
            checks:
              - duplicate_rate: {name: duplicate_contacts, normalize: email, severity: warn}
          - name: account_id
            checks:
              - relationships: {name: orphan_contacts, to: "source('crm', 'account')", field: id, severity: warn}
      - name: opportunity
        checks:
          - extract_totals: {name: opportunities_match_salesforce, where: "not is_deleted"}
          - freshness: {name: opportunities_freshness, column: system_modstamp, time_zone: UTC, warn_after: 24h, error_after: 72h, severity: warn}
          - sql:
              name: open_past_close_date
              severity: warn
              query: >
                select id from {{ source('crm', 'opportunity') }}
                where not is_closed and close_date < date '%s'
        columns:
          - name: id
            checks: [not_null, unique]
          - name: amount
            checks:
              - not_null_from_stage:
                  name: missing_amount
                  stage_column: stage_name
                  stages: [Prospecting, Discovery, Proposal, Negotiation, Closed Won, Closed Lost]
                  from: Proposal
                  severity: warn
              - range: {name: zero_amount_won, min: 0.01, where: "stage_name = 'Closed Won'", severity: warn}
          - name: close_date
            checks:
              - not_null_from_stage:
                  name: missing_close_date
                  stage_column: stage_name
                  stages: [Prospecting, Discovery, Proposal, Negotiation, Closed Won, Closed Lost]
                  from: Proposal
                  severity: warn
`
