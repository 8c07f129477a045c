// Package demo generates the sample project that `revops demo` runs on: one coherent, fictional
// B2B SaaS company (its CRM, its billing system, and the dirt real CRMs accumulate), written as a
// revops.yaml plus CSV, JSON-lines and Parquet files under data/.
//
// The output is deterministic: the same Options give byte-identical files. Nothing reads the
// clock; the company's history ends the day before Options.AsOf. Every account is simulated on
// its own random stream (PCG seeded from the seed and the account's index) and written as soon
// as it is simulated, so memory stays flat as Options.Scale grows.
//
// The company: accounts are created over the four years before AsOf, at a growing pace. Each
// gets New Business opportunities (retried after a loss); a won deal starts a subscription
// (SMB deals sometimes after a $0 trial), which then sees expansion deals, yearly renewals that
// keep, raise, lower or end it, and sometimes a win-back after churn under a new subscription.
// Billing (subscriptions, customers, monthly invoices) follows the won deals; the CRM carries
// the opportunities with their stage history, contacts, marketing leads and the sales
// activities (each lead's first touch; the calls, emails and meetings on each opportunity, about
// ten each, from their own random streams: ≈10 M at Scale 1000, written as they are drawn).
//
// Dirt is planted at Options.DirtRate of the records each kind can apply to, and counted in
// Summary.Planted under the Planted* keys; see dirt.go for what each kind means.
package demo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultSeed     = 42
	DefaultScale    = 1
	DefaultDirtRate = 0.03
)

// DefaultAsOf is the last day of the demo company's history (its as_of_date).
func DefaultAsOf() time.Time { return time.Date(2026, time.October, 31, 0, 0, 0, 0, time.UTC) }

// Keys of Summary.Planted: the kinds of dirt the generator plants.
const (
	// PlantedDuplicateAccounts: an extra account row with the same domain as an earlier one and
	// its name in other case or spacing.
	PlantedDuplicateAccounts = "duplicate_accounts"
	// PlantedSoftDeletedAccounts: accounts with is_deleted=true (they have no contacts or deals).
	PlantedSoftDeletedAccounts = "soft_deleted_accounts"
	// PlantedDuplicateContacts: an extra contact row whose email equals an earlier one's but for case.
	PlantedDuplicateContacts = "duplicate_contacts"
	// PlantedOrphanContacts: contacts whose account_id names no account.
	PlantedOrphanContacts = "orphan_contacts"
	// PlantedMissingAmount: opportunities at Proposal or later, not won, with an empty amount.
	PlantedMissingAmount = "missing_amount"
	// PlantedMissingCloseDate: open opportunities at Proposal or Negotiation with an empty close_date.
	PlantedMissingCloseDate = "missing_close_date"
	// PlantedOpenPastCloseDate: open opportunities whose close_date is before as_of_date.
	PlantedOpenPastCloseDate = "open_past_close_date"
	// PlantedZeroAmountWon: Closed Won opportunities with amount 0.00 (billing has the real amount).
	PlantedZeroAmountWon = "zero_amount_won"
)

// ErrNotEmpty is returned (wrapped) when the target directory has files and Options.Force is false.
var ErrNotEmpty = errors.New("directory is not empty")

// Options configure Generate. The zero value is the standard demo.
type Options struct {
	// Seed picks the company; 0 means DefaultSeed.
	Seed int64
	// Scale multiplies every row count; 0 means DefaultScale (≈ a 50-person startup).
	Scale int
	// AsOf is the demo's as_of_date: history ends the day before it. Zero means DefaultAsOf.
	// Only its date (in UTC) matters.
	AsOf time.Time
	// DirtRate is the share of eligible records each kind of dirt is planted in; 0 means
	// DefaultDirtRate and a negative value plants none.
	DirtRate float64
	// Force writes into a directory that is not empty, replacing the files Generate writes.
	Force bool
	// Vendors also loads the world into fake Salesforce, HubSpot, Marketo and Stripe servers,
	// serves them on 127.0.0.1 (Summary.Vendors; their addresses and credentials go to files
	// under .vendors/) and writes a revops.yaml that extracts the CRM, marketing and billing
	// data from them instead of reading data/crm and data/billing (which are still written:
	// the same world as exports).
	Vendors bool
}

// Summary reports what Generate wrote.
type Summary struct {
	// Dir is the project directory.
	Dir string
	// Files are the files written, relative to Dir, slash-separated, in the order written.
	Files []string
	// Rows counts the rows written per stream (accounts, users, contacts, leads, opportunities,
	// opportunity_history, activities, subscriptions, customers, invoices).
	Rows map[string]int
	// Planted counts the dirty records per kind (the Planted* keys; every kind is present).
	Planted map[string]int
	// Vendors are the running fakes when Options.Vendors was set (the caller closes them).
	Vendors *Vendors
}

func (o Options) withDefaults() (Options, error) {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Scale == 0 {
		o.Scale = DefaultScale
	}
	if o.Scale < 0 {
		return o, fmt.Errorf("demo scale %d: must be 1 or more", o.Scale)
	}
	if o.AsOf.IsZero() {
		o.AsOf = DefaultAsOf()
	}
	y, m, d := o.AsOf.UTC().Date()
	o.AsOf = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case o.DirtRate == 0:
		o.DirtRate = DefaultDirtRate
	case o.DirtRate < 0:
		o.DirtRate = 0
	case o.DirtRate > 0.5:
		return o, fmt.Errorf("demo dirt rate %g: must be at most 0.5", o.DirtRate)
	}
	return o, nil
}

// Generate writes the demo project into dir, creating it. It refuses a directory that has
// files (ErrNotEmpty) unless opts.Force.
func Generate(dir string, opts Options) (Summary, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	if err := prepareDir(dir, opts.Force); err != nil {
		return Summary{}, err
	}
	g, err := newGenerator(opts)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{Dir: dir, Rows: map[string]int{}, Planted: map[string]int{}}
	for _, k := range plantedKinds() {
		sum.Planted[k] = 0
	}
	out, err := createWriters(dir)
	if err != nil {
		return Summary{}, err
	}
	if opts.Vendors {
		if out.vendors, err = newVendorSeeder(opts.AsOf); err != nil {
			out.closeAll()
			out.cleanup()
			return Summary{}, err
		}
	}
	genErr := g.run(out, &sum)
	if genErr == nil && out.vendors != nil {
		genErr = out.vendors.finish()
	}
	closeErr := out.close(&sum)
	if err := errors.Join(genErr, closeErr); err != nil {
		out.cleanup()
		return Summary{}, err
	}
	defer out.cleanup()
	if err := writeParquet(out.subsCSV, filepath.Join(dir, filepath.FromSlash(subscriptionsPath)), out.subsRows); err != nil {
		return Summary{}, err
	}
	sum.Files = append(sum.Files, subscriptionsPath)
	sum.Rows["subscriptions"] = out.subsRows
	if err := writeProject(filepath.Join(dir, projectFile), opts); err != nil {
		return Summary{}, err
	}
	sum.Files = append(sum.Files, projectFile)
	if err := writeChecks(dir, opts.AsOf, opts.Vendors); err != nil {
		return Summary{}, err
	}
	sum.Files = append(sum.Files, checksFile)
	if out.vendors != nil {
		files, err := out.vendors.v.serve(dir)
		if err != nil {
			return Summary{}, err
		}
		sum.Files = append(sum.Files, files...)
		sum.Vendors = out.vendors.v
	}
	return sum, nil
}

// plantedKinds lists the Planted* keys in a fixed order.
func plantedKinds() []string {
	return []string{
		PlantedDuplicateAccounts, PlantedSoftDeletedAccounts, PlantedDuplicateContacts,
		PlantedOrphanContacts, PlantedMissingAmount, PlantedMissingCloseDate,
		PlantedOpenPastCloseDate, PlantedZeroAmountWon,
	}
}

// prepareDir creates dir, or checks that it is an empty directory (or force is set).
func prepareDir(dir string, force bool) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create demo directory: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("inspect demo directory: %w", err)
	case !info.IsDir():
		return fmt.Errorf("demo directory %s: exists and is not a directory", dir)
	case force:
		return nil
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("inspect demo directory: %w", err)
	}
	defer f.Close()
	if _, err := f.Readdirnames(1); err == nil {
		return fmt.Errorf("demo directory %s: %w: choose another directory, or force to overwrite the demo's files in it", dir, ErrNotEmpty)
	} else if !errors.Is(err, io.EOF) {
		return fmt.Errorf("inspect demo directory: %w", err)
	}
	return nil
}
