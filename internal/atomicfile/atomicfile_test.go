package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestCommitPublishesWholeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	f.WriteString("hello")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file visible before commit: %v", err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "hello" {
		t.Fatalf("got %q, %v", b, err)
	}
	if n := listDir(t, dir); len(n) != 1 {
		t.Fatalf("leftover files: %v", n)
	}
}

func TestAbortAndRemovePendingLeaveNothing(t *testing.T) {
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "a"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("partial")
	f.Abort()
	g, err := Create(filepath.Join(dir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	g.WriteString("partial")
	d, err := CreateDir(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(d.Path("model.gsy"), []byte("x"), 0o644)
	RemovePending()
	if n := listDir(t, dir); len(n) != 0 {
		t.Fatalf("leftover files (the output directory was created by CreateDir and must go too): %v", n)
	}
	if err := g.Commit(); err == nil {
		t.Fatal("commit of a removed file succeeded")
	}
}

func TestDirCommitMovesAllFiles(t *testing.T) {
	target := filepath.Join(t.TempDir(), "out")
	d, err := CreateDir(target)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	for _, n := range []string{"b.txt", "a.txt"} {
		if err := WriteFile(d.Path(n), []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	if n := listDir(t, target); len(n) != 1 {
		t.Fatalf("only the staging dir should exist before commit: %v", n)
	}
	paths, err := d.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 || paths[0] != filepath.Join(target, "a.txt") {
		t.Fatalf("paths %v", paths)
	}
	if n := listDir(t, target); len(n) != 2 || n[0] != "a.txt" || n[1] != "b.txt" {
		t.Fatalf("target has %v", n)
	}
}
