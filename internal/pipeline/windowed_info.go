package pipeline

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"

	"github.com/gousynth/gousynth/model"
)

// WindowedModelInfo reads the header of a windowed model file and returns
// its number of training individuals and sites, without loading any window
// model. It is what `generate` needs to choose a default cohort size.
func WindowedModelInfo(path string) (numTrain, numSites int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	magic := make([]byte, len(ChromModelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != ChromModelMagic {
		return 0, 0, fmt.Errorf("%s: %w", path, model.ErrNotModel)
	}
	var hdr ChromModelHeader
	if err := gob.NewDecoder(br).Decode(&hdr); err != nil {
		return 0, 0, fmt.Errorf("%s: windowed model header: %w", path, model.ErrCorrupt)
	}
	return hdr.NumTrain, len(hdr.Sites), nil
}
