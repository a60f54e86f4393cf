package rpc

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"fifochan.dev/fifochan"
)

// unhex reads the byte listing of docs/rpc.md §13 (hex pairs, then
// comments after two spaces or more).
func unhex(t *testing.T, listing string) []byte {
	t.Helper()
	var out []byte
	for _, line := range strings.Split(listing, "\n") {
		var b strings.Builder
		for _, f := range strings.Fields(line) {
			if len(f) != 2 {
				break
			}
			if _, err := hex.DecodeString(f); err != nil {
				break
			}
			b.WriteString(f)
		}
		p, err := hex.DecodeString(b.String())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p...)
	}
	return out
}

// TestWorkedExampleBytes checks docs/rpc.md §13: the request stream of a
// string client of service quotes calling price with ACME and a 2 s
// deadline, the reply 12.5, and an error answer — built by the same
// functions the client and the responder use.
func TestWorkedExampleBytes(t *testing.T) {
	var req bytes.Buffer
	w, err := fifochan.NewWriter(&req, "string")
	if err != nil {
		t.Fatal(err)
	}
	h := localHello(roleClient, "quotes", "string", 1000000000, "") // fc-agent left out
	if err := w.WriteFrameHeaders("", h.headers(), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrameHeaders("", callHeaders(1, "price", true, 2000000000, true, false), []byte("ACME")); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := unhex(t, `
89 46 43 48 02 06 73 74 72 69 6e 67
00 00 00 00 04 00 00 6a
07 66 63 2d 6b 69 6e 64 00 05 68 65 6c 6c 6f
0a 66 63 2d 76 65 72 73 69 6f 6e 00 01 31
07 66 63 2d 72 6f 6c 65 00 06 63 6c 69 65 6e 74
0a 66 63 2d 73 65 72 76 69 63 65 00 06 71 75 6f 74 65 73
08 66 63 2d 63 6f 64 65 63 00 06 73 74 72 69 6e 67
0c 66 63 2d 68 65 61 72 74 62 65 61 74 00 0a 31 30 30 30 30 30 30 30 30 30
00 00 00 04 04 00 00 3b
07 66 63 2d 6b 69 6e 64 00 04 63 61 6c 6c
05 66 63 2d 69 64 00 01 31
05 66 63 2d 6f 70 00 05 70 72 69 63 65
0a 66 63 2d 74 69 6d 65 6f 75 74 00 0a 32 30 30 30 30 30 30 30 30 30
41 43 4d 45`)
	if !bytes.Equal(req.Bytes(), want) {
		t.Errorf("request stream\n got % x\nwant % x", req.Bytes(), want)
	}

	var rsp bytes.Buffer
	w, _ = fifochan.NewWriter(&rsp, "string")
	w.Flush()
	rsp.Reset() // the preamble and the responder's hello are not listed
	w.WriteFrameHeaders("", idHeaders(kindReply, 1), []byte("12.5"))
	w.WriteFrameHeaders("", errorHeaders(2, NotFound, "no such symbol", ""), nil)
	w.Flush()
	want = unhex(t, `
00 00 00 04 04 00 00 18
07 66 63 2d 6b 69 6e 64 00 05 72 65 70 6c 79
05 66 63 2d 69 64 00 01 31
31 32 2e 35
00 00 00 00 04 00 00 40
07 66 63 2d 6b 69 6e 64 00 05 65 72 72 6f 72
05 66 63 2d 69 64 00 01 32
09 66 63 2d 73 74 61 74 75 73 00 01 35
0a 66 63 2d 6d 65 73 73 61 67 65 00 0e 6e 6f 20 73 75 63 68 20 73 79 6d 62 6f 6c`)
	if !bytes.Equal(rsp.Bytes(), want) {
		t.Errorf("response stream\n got % x\nwant % x", rsp.Bytes(), want)
	}
}
