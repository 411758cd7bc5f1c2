package vcf

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// withStdin runs fn with standard input reading data through a pipe.
func withStdin(t *testing.T, data []byte, fn func()) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write(data)
		w.Close()
	}()
	old := os.Stdin
	os.Stdin = r
	stdinOpened.Store(false)
	defer func() {
		os.Stdin = old
		r.Close()
		stdinOpened.Store(false)
	}()
	fn()
}

// TestStdin reads standard input ("-") as plain, gzip and BGZF VCF,
// recognised by content, with a region (filtered while streaming: there
// is no index) and checks that a second read says it cannot be done.
func TestStdin(t *testing.T) {
	bgzf, err := os.ReadFile(plinkTestVCF)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(bgzf))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	for _, o := range []ReadOptions{{DosageOnly: true}, {DosageOnly: true, Region: "1:11720000-11730000", IncludeSamples: []string{"HG00097", "NA19648"}}} {
		want, _, err := ReadFile(plinkTestVCF, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name string
			data []byte
		}{{"plain", plain}, {"gzip", gz.Bytes()}, {"BGZF", bgzf}} {
			withStdin(t, c.data, func() {
				got, _, err := ReadFile(Stdin, o)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				sameGenotypes(t, c.name+" on standard input, region "+o.Region, want, got)
				_, _, err = ReadFile(Stdin, o)
				if err == nil || !strings.Contains(err.Error(), "standard input can be read only once") {
					t.Fatalf("second read of standard input: %v", err)
				}
			})
		}
	}
	withStdin(t, testBed(), func() {
		_, _, err := ReadFile(Stdin, ReadOptions{})
		if err == nil || !errors.Is(err, ErrNotVCF) || !strings.Contains(err.Error(), "-: standard input is a PLINK .bed") {
			t.Fatalf("a .bed on standard input: %v", err)
		}
	})
}
