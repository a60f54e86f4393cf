package interoppb

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates interop.pb.go with gen.sh and
// compares it with the committed file (ignoring the line that names the
// protoc version; it was generated with protoc 4.36.2). It needs protoc (PATH or $PROTOC)
// and protoc-gen-go on PATH, and is skipped without them.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	protoc := os.Getenv("PROTOC")
	if protoc == "" {
		protoc = "protoc"
	}
	if _, err := exec.LookPath(protoc); err != nil {
		t.Skip("protoc not found; set PROTOC to check interop.pb.go")
	}
	if _, err := exec.LookPath("protoc-gen-go"); err != nil {
		t.Skip("protoc-gen-go not on PATH")
	}
	out := t.TempDir()
	cmd := exec.Command("sh", "gen.sh", out)
	cmd.Env = append(os.Environ(), "PROTOC="+protoc)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen.sh: %v\n%s", err, b)
	}
	fresh, err := os.ReadFile(filepath.Join(out, "interop.pb.go"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("interop.pb.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dropProtocVersion(fresh), dropProtocVersion(committed)) {
		t.Fatal("interop.pb.go is stale: run go/internal/interoppb/gen.sh")
	}
}

// dropProtocVersion removes the header line naming protoc's version, the
// one part of the output that depends on which protoc ran.
func dropProtocVersion(b []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("// \tprotoc ")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}
