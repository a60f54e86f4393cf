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
// and protoc-gen-go on PATH: skipped without them, except under CI=true, where that fails.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	protoc := os.Getenv("PROTOC")
	if protoc == "" {
		protoc = "protoc"
	}
	missing := func(what string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found and CI=true: go/check.sh provides both (protoc from the Maven build, protoc-gen-go from the module proxy)", what)
		}
		t.Skipf("%s not found: run go/check.sh, or set PROTOC and put protoc-gen-go on PATH, to check interop.pb.go", what)
	}
	if _, err := exec.LookPath(protoc); err != nil {
		missing("protoc")
	}
	if _, err := exec.LookPath("protoc-gen-go"); err != nil {
		missing("protoc-gen-go")
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
