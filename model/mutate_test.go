package model

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"
)

// TestDecodeMutatedPayloads feeds Decode thousands of randomly mutated
// payloads re-wrapped with a valid checksum (so that the header and section
// parsers, not the checksum, must reject them): none may panic or hang, and
// whatever decodes must re-encode.
func TestDecodeMutatedPayloads(t *testing.T) {
	x, sites := smallCohort(30, 5, 4)
	cfg := quickConfig("gou")
	cfg.Steps = 2
	m, _ := Fit(context.Background(), x, sites, cfg, nil)
	good, _ := m.Encode()
	payload := good[52:]
	rng := rand.New(rand.NewPCG(1, 1))
	for it := 0; it < 5000; it++ {
		p := append([]byte(nil), payload...)
		for k := 0; k < 1+rng.IntN(4); k++ {
			p[rng.IntN(len(p))] = byte(rng.IntN(256))
		}
		sum := sha256.Sum256(p)
		var w []byte
		w = append(w, fileMagic...)
		w = binary.LittleEndian.AppendUint32(w, FormatVersion)
		w = binary.LittleEndian.AppendUint64(w, uint64(len(p)))
		w = append(w, sum[:]...)
		w = append(w, p...)
		done := make(chan struct{})
		go func() {
			mm, err := Decode(w)
			if err == nil {
				mm.Encode()
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			n := 300
			if len(p) < n {
				n = len(p)
			}
			t.Fatalf("hang at iteration %d: header %q", it, p[:n])
		}
	}
}
