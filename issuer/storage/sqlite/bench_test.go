package sqlite

import (
	"fmt"
	mrand "math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/idgate/idgate/issuer/storage"
)

func benchStore(b *testing.B, listSize, prefill int) *Store {
	return benchStoreSync(b, listSize, prefill, "FULL")
}

func benchStoreSync(b *testing.B, listSize, prefill int, synchronous string) *Store {
	b.Helper()
	s, err := open(filepath.Join(b.TempDir(), "bench.db"), synchronous)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := b.Context()
	if err := s.CreateHolder(ctx, storage.Holder{ID: "h"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateStatusList(ctx, storage.StatusList{ID: "l", URI: "https://x/l", Bits: 2, Size: listSize}); err != nil {
		b.Fatal(err)
	}
	// Prefill in one transaction with plain SQL (setup only: one fsync instead of one per
	// row): a random prefill-sized subset of slots, each with its ledger row and credential.
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i, idx := range mrand.Perm(listSize)[:prefill] {
		if _, err := tx.ExecContext(ctx, `INSERT INTO status_slots (status_list_id, status_index) VALUES ('l', ?)`, idx); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (id, holder_id, vct, status_list_id, status_index, status, holder_key_thumbprint) VALUES (?, 'h', 'v', 'l', ?, 0, '')`, fmt.Sprintf("pre-%d", i), idx); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE status_lists SET used = ? WHERE id = 'l'`, prefill); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return s
}

func benchIssue(b *testing.B, s *Store) {
	ctx := b.Context()
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

// BenchmarkIssueCredential: one transaction (list lock, random probe, ledger row, credential
// row, fsync) into a mostly empty list of 2^20 slots.
func BenchmarkIssueCredential(b *testing.B) {
	benchIssue(b, benchStore(b, 1<<20, 0))
}

// BenchmarkIssueCredentialNinetyPercentFull: the random probe must stay cheap when 90% of
// the slots are used (10000 free slots: enough for the default 1s benchtime down to 0.1 ms per issue).
func BenchmarkIssueCredentialNinetyPercentFull(b *testing.B) {
	const size = 100000
	benchIssue(b, benchStore(b, size, size*9/10))
}

// BenchmarkIssueDurability: the issuing commit as the service makes it (slot, credential and
// its audit event in one transaction) at the default synchronous=FULL (fsync per commit) and
// at NORMAL (fsync at checkpoints only), interleaved in one run.
func BenchmarkIssueDurability(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run("sync="+sync, func(b *testing.B) {
			s := benchStoreSync(b, 1<<20, 0, sync)
			ctx := b.Context()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				id := fmt.Sprintf("c-%d", i)
				_, err := s.IssueCredential(ctx, storage.Credential{ID: id, HolderID: "h", VCT: "v", StatusListID: "l"}, storage.IssueOptions{
					Audit: func(c storage.Credential) storage.AuditEvent {
						return storage.AuditEvent{Action: "credential.issue", Subject: c.ID, Details: map[string]string{"status_idx": fmt.Sprint(c.StatusIndex)}}
					},
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
