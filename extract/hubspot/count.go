package hubspot

import (
	"context"
	"fmt"
	"slices"

	"github.com/revops/revops/extract"
)

// Count implements extract.Counter for the extract_totals check: the CRM search API's total of
// an object stream's records (summed over the engagement types for engagements), one search
// per object with no filter and a limit of 1. Search leaves archived records out, so compare
// it with the rows whose archived is false (extract_totals: {where: "not archived"}). Owners,
// pipeline stages and deal stage history have no total: ErrNoCount.
func (s *source) Count(ctx context.Context, stream string) (int64, error) {
	if !slices.Contains(s.cfg.streams, stream) {
		return 0, fmt.Errorf("hubspot source %s: unknown stream %q", s.name, stream)
	}
	spec := objectSpecOf(stream, s.cfg)
	if len(spec.objects) == 0 || spec.history {
		return 0, extract.ErrNoCount
	}
	var total int64
	for _, obj := range spec.objects {
		var page struct {
			Total int64 `json:"total"`
		}
		body := searchBody{FilterGroups: []filterGroup{}, Sorts: []sortRule{}, Properties: []string{"hs_object_id"}, Limit: 1}
		if err := s.api.post(ctx, s.api.searchHC, "/crm/v3/objects/"+obj+"/search", nil, body, &page); err != nil {
			return 0, fmt.Errorf("hubspot source %s: count %s: %w", s.name, obj, err)
		}
		total += page.Total
	}
	return total, nil
}
