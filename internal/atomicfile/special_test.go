package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestSymlinkTargetIsWrittenLinkKept: an output that is a symbolic link is
// written at the link's target, atomically, and the link stays a link.
func TestSymlinkTargetIsWrittenLinkKept(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "sub", "real.txt")
	os.MkdirAll(filepath.Dir(real), 0o755)
	os.WriteFile(real, []byte("old"), 0o644)
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(filepath.Join("sub", "real.txt"), link); err != nil {
		t.Fatal(err)
	}
	chain := filepath.Join(dir, "chain.txt")
	os.Symlink("link.txt", chain)
	dangling := filepath.Join(dir, "dangling.txt")
	os.Symlink(filepath.Join("sub", "new.txt"), dangling)
	for _, c := range []struct{ path, target, data string }{
		{link, real, "via link"},
		{chain, real, "via chain"},
		{dangling, filepath.Join(dir, "sub", "new.txt"), "via dangling link"},
	} {
		if err := WriteFile(c.path, []byte(c.data)); err != nil {
			t.Fatalf("%s: %v", c.path, err)
		}
		if fi, err := os.Lstat(c.path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link: %v %v", c.path, fi.Mode(), err)
		}
		if b, _ := os.ReadFile(c.target); string(b) != c.data {
			t.Errorf("%s holds %q, want %q", c.target, b, c.data)
		}
	}
	if n := listDir(t, filepath.Join(dir, "sub")); len(n) != 2 {
		t.Errorf("leftovers beside the target: %v", n)
	}
}

// TestFIFOIsWrittenThrough: a FIFO output is opened and written, never
// replaced by a regular file.
func TestFIFOIsWrittenThrough(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "out.fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	f, err := Create(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if f.Regular() {
		t.Error("a FIFO output claims to be a regular file")
	}
	f.WriteString("streamed")
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "streamed" {
			t.Errorf("reader got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing reached the FIFO's reader")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
}

// TestDevNullStaysADevice: writing to /dev/null writes through it (it is
// always writable); it must still be a character device afterwards.
func TestDevNullStaysADevice(t *testing.T) {
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Skip("no /dev/null character device")
	}
	for i := 0; i < 2; i++ {
		if err := WriteFile(os.DevNull, []byte("discarded")); err != nil {
			t.Fatal(err)
		}
		f, err := Create(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("x")
		f.Abort()
	}
	if fi, err := os.Lstat(os.DevNull); err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		t.Fatalf("/dev/null is no longer a character device: %v %v", fi.Mode(), err)
	}
}

// TestDirectoryTargetIsAnError: a directory is never written over.
func TestDirectoryTargetIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x")); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatal("the directory was replaced")
	}
}

// TestStdoutName: "-" writes to standard output and is not a regular file.
func TestStdoutName(t *testing.T) {
	f, err := Create(Stdout)
	if err != nil {
		t.Fatal(err)
	}
	if f.Regular() {
		t.Error("standard output claims to be a regular file")
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestCommitAllIsAllOrNothing: when the second file of a group cannot be
// published, the first is put back as it was.
func TestCommitAllIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	vcf, sub := filepath.Join(dir, "a.vcf.gz"), filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	idx := filepath.Join(sub, "a.vcf.gz.tbi")
	os.WriteFile(vcf, []byte("old vcf"), 0o644)
	f, _ := Create(vcf)
	f.WriteString("new vcf")
	g, err := Create(idx)
	if err != nil {
		t.Fatal(err)
	}
	g.WriteString("new index")
	// The index cannot be renamed into place: its directory is gone.
	g.f.Close()
	os.Rename(g.tmp, filepath.Join(dir, "moved"))
	os.WriteFile(g.tmp, nil, 0o644)
	os.Remove(g.tmp)
	if err := CommitAll(f, g); err == nil {
		t.Fatal("CommitAll succeeded without the index")
	}
	if b, _ := os.ReadFile(vcf); string(b) != "old vcf" {
		t.Errorf("the VCF was replaced without its index: %q", b)
	}
	os.Remove(filepath.Join(dir, "moved"))
	if n := listDir(t, dir); len(n) != 2 {
		t.Errorf("leftovers: %v", n)
	}
	// And both appear together when all goes well.
	f, _ = Create(vcf)
	f.WriteString("new vcf")
	g, _ = Create(idx)
	g.WriteString("new index")
	if err := CommitAll(f, g); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(vcf)
	b, _ := os.ReadFile(idx)
	if string(a) != "new vcf" || string(b) != "new index" {
		t.Errorf("got %q, %q", a, b)
	}
}

// TestDirCommitRefusesSpecialNames: when a name of the set is a directory in
// the target, Commit fails before replacing anything.
func TestDirCommitRefusesSpecialNames(t *testing.T) {
	target := t.TempDir()
	os.WriteFile(filepath.Join(target, "a.gsy"), []byte("user model"), 0o644)
	os.Mkdir(filepath.Join(target, "b.html"), 0o755)
	d, err := CreateDir(target)
	if err != nil {
		t.Fatal(err)
	}
	WriteFile(d.Path("a.gsy"), []byte("new model"))
	WriteFile(d.Path("b.html"), []byte("new report"))
	if _, err := d.Commit(); err == nil {
		t.Fatal("commit over a directory succeeded")
	}
	if b, _ := os.ReadFile(filepath.Join(target, "a.gsy")); string(b) != "user model" {
		t.Errorf("a.gsy replaced by a failed commit: %q", b)
	}
	if n := listDir(t, target); len(n) != 2 {
		t.Errorf("target holds %v", n)
	}
}

// TestDirCommitFollowsSymlinks: a name of the set that is a symbolic link
// in the target directory stays a link; its target gets the new file.
func TestDirCommitFollowsSymlinks(t *testing.T) {
	target := t.TempDir()
	elsewhere := filepath.Join(target, "kept")
	os.Mkdir(elsewhere, 0o755)
	os.WriteFile(filepath.Join(elsewhere, "model.gsy"), []byte("old"), 0o644)
	os.Symlink(filepath.Join("kept", "model.gsy"), filepath.Join(target, "model.gsy"))
	d, err := CreateDir(target)
	if err != nil {
		t.Fatal(err)
	}
	WriteFile(d.Path("model.gsy"), []byte("new"))
	if _, err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(target, "model.gsy")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if b, _ := os.ReadFile(filepath.Join(elsewhere, "model.gsy")); string(b) != "new" {
		t.Errorf("link target holds %q", b)
	}
}

// TestRemoveStale removes the temporary files and staging directories of
// dead gousynth processes, and nothing else.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	const dead = 999999999 // above any pid_max
	alive := os.Getppid()
	mk := func(name string, isDir bool, age time.Duration) {
		p := filepath.Join(dir, name)
		if isDir {
			os.Mkdir(p, 0o755)
			os.WriteFile(filepath.Join(p, "model.gsy"), []byte("x"), 0o644)
		} else {
			os.WriteFile(p, []byte("x"), 0o644)
		}
		old := time.Now().Add(-age)
		os.Chtimes(p, old, old)
	}
	d, a := strconv.Itoa(dead), strconv.Itoa(alive)
	gone := []string{".out.vcf.gz.tmp-" + d + "-123", ".gousynth-staging-" + d + "-456", ".x.tsv.tmp-789", ".gousynth-staging-321"}
	kept := []string{".out.vcf.gz.tmp-" + a + "-123", ".gousynth-staging-" + a + "-456", ".y.tsv.tmp-789", ".gousynth-staging-322",
		"data.vcf.gz", ".notes.tmp-mine", ".gousynth-staging-" + d + "-file", "z.tmp-" + d + "-1"}
	for i, n := range gone {
		mk(n, n[1] == 'g', 48*time.Hour*time.Duration(i/2))
	}
	for i, n := range kept {
		mk(n, n[1] == 'g' && i != 6, time.Duration(0))
	}
	RemoveStale(dir)
	left := map[string]bool{}
	for _, n := range listDir(t, dir) {
		left[n] = true
	}
	for _, n := range gone {
		if left[n] {
			t.Errorf("stale %s was kept", n)
		}
	}
	for _, n := range kept {
		if !left[n] {
			t.Errorf("%s was removed", n)
		}
	}
}
