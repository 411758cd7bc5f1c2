package pipeline

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"fmt"
	"io"
	"os"

	"github.com/gousynth/gousynth/internal/limits"
	"github.com/gousynth/gousynth/model"
)

// openWindowedModel opens a windowed model file, checks its magic line and
// format version, verifies the SHA-256 of its body and decodes the header.
// The returned decoder is positioned at the first window; the caller
// closes the file.
func openWindowedModel(path string) (*os.File, *gob.Decoder, ChromModelHeader, error) {
	var hdr ChromModelHeader
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, hdr, err
	}
	fail := func(err error) (*os.File, *gob.Decoder, ChromModelHeader, error) {
		f.Close()
		return nil, nil, hdr, err
	}
	magic := make([]byte, len(ChromModelMagic))
	if _, err := io.ReadFull(f, magic); err != nil || !bytes.HasPrefix(magic, []byte(chromModelPrefix)) {
		return fail(fmt.Errorf("%s: %w", path, model.ErrNotModel))
	}
	if string(magic) != ChromModelMagic && string(magic) != ChromModelMagicLabelled {
		return fail(fmt.Errorf("%s: %w: windowed model format %q, this build reads %q (refit with this version)",
			path, model.ErrNewerVersion, bytes.TrimSpace(magic[len(chromModelPrefix):]), bytes.TrimSpace([]byte(ChromModelMagic[len(chromModelPrefix):]))))
	}
	st, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	body := st.Size() - int64(len(magic)) - sha256.Size
	if body <= 0 {
		return fail(fmt.Errorf("%s: %w: truncated windowed model (%d bytes)", path, model.ErrCorrupt, st.Size()))
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(f, int64(len(magic)), body)); err != nil {
		return fail(err)
	}
	want := make([]byte, sha256.Size)
	if _, err := f.ReadAt(want, int64(len(magic))+body); err != nil {
		return fail(err)
	}
	if !bytes.Equal(sum.Sum(nil), want) {
		return fail(fmt.Errorf("%s: %w: checksum mismatch (truncated or modified)", path, model.ErrCorrupt))
	}
	dec := gob.NewDecoder(bufio.NewReader(io.NewSectionReader(f, int64(len(magic)), body)))
	if err := dec.Decode(&hdr); err != nil {
		return fail(fmt.Errorf("%s: windowed model header: %w", path, model.ErrCorrupt))
	}
	if (string(magic) == ChromModelMagicLabelled) != (hdr.Mixture != nil && len(hdr.Mixture.LabelTable) > 0) {
		return fail(fmt.Errorf("%s: %w: population labels do not match the format %q", path, model.ErrCorrupt, bytes.TrimSpace(magic)))
	}
	if hdr.Mixture != nil {
		if err := hdr.Mixture.CheckLabels(); err != nil {
			return fail(fmt.Errorf("%s: %w: %v", path, model.ErrCorrupt, err))
		}
	}
	if hdr.NumTrain < 1 || hdr.NumTrain > limits.MaxIndividuals {
		return fail(fmt.Errorf("%s: %w: implausible training size %d individuals (gousynth's limit is %d)", path, model.ErrCorrupt, hdr.NumTrain, limits.MaxIndividuals))
	}
	return f, dec, hdr, nil
}

// WindowedModelInfo reads the header of a windowed model file and returns
// its number of training individuals and sites, without loading any window
// model. It is what `generate` needs to choose a default cohort size.
func WindowedModelInfo(path string) (numTrain, numSites int, err error) {
	f, _, hdr, err := openWindowedModel(path)
	if err != nil {
		return 0, 0, err
	}
	f.Close()
	return hdr.NumTrain, len(hdr.Sites), nil
}
