package salesforce

import (
	"context"
	"fmt"
	"net/url"
)

// Count implements extract.Counter for the extract_totals check: SELECT COUNT() FROM the
// stream's object through query, not queryAll, so records in the recycle bin are not counted —
// compare it with the rows whose is_deleted is false (extract_totals: {where: "not is_deleted"}).
// It is one request, made after the stream is extracted, so records written in between make a
// small difference that a tolerance absorbs (error_if: "> 0.1%"). In mode files it counts the
// export's rows whose IsDeleted is not true.
func (s *Source) Count(ctx context.Context, stream string) (int64, error) {
	sp, ok := s.byName[stream]
	if !ok {
		return 0, fmt.Errorf("salesforce source %s: unknown stream %q", s.name, stream)
	}
	if s.set.mode == ModeFiles {
		n, err := s.countFile(sp)
		if err != nil {
			return 0, fmt.Errorf("salesforce source %s: count %s: %w", s.name, sp.object, err)
		}
		return n, nil
	}
	var res struct {
		TotalSize int64 `json:"totalSize"`
	}
	target := s.dataPath("/query?" + url.Values{"q": {"SELECT COUNT() FROM " + sp.object}}.Encode())
	if err := s.newAPI().getJSON(ctx, target, nil, &res); err != nil {
		return 0, fmt.Errorf("salesforce source %s: count %s: %w", s.name, sp.object, err)
	}
	return res.TotalSize, nil
}
