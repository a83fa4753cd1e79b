package postgres

import (
	"fmt"
	"testing"

	"github.com/idgate/idgate/issuer/storage"
)

// BenchmarkIssueCredential: one IssueCredential transaction (list row lock, random probe,
// ledger row, credential row) per op against a real server (scripts/with-postgres.sh).
func BenchmarkIssueCredential(b *testing.B) {
	s, err := Open(b.Context(), freshSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := b.Context()
	if err := s.CreateHolder(ctx, storage.Holder{ID: "h"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateStatusList(ctx, storage.StatusList{ID: "l", URI: "https://x/l", Bits: 2, Size: 1 << 20}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := s.IssueCredential(ctx, storage.Credential{ID: fmt.Sprintf("c-%d", i), HolderID: "h", VCT: "v", StatusListID: "l"}, storage.IssueOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "issues/s")
}
