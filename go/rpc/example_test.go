package rpc_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fifochan.dev/fifochan"
	"fifochan.dev/fifochan/rpc"
)

// The README's request/response example, run.
func ExampleClient() {
	dir, _ := os.MkdirTemp("", "rpc-example")
	defer os.RemoveAll(dir)
	pair := rpc.FIFOPair(filepath.Join(dir, "quotes.req"), filepath.Join(dir, "quotes.rsp"))
	r, _ := rpc.NewResponder(fifochan.String(), rpc.Service("quotes"))
	r.Handle("price", func(ctx context.Context, sym string) (string, error) {
		if sym == "" {
			return "", rpc.Errorf(rpc.InvalidArgument, "no symbol")
		}
		return "12.5", nil
	})
	r.Serve(pair)
	c, _ := rpc.NewClient(pair, fifochan.String(), rpc.Service("quotes"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	price, err := c.Call(ctx, "price", "ACME")
	fmt.Println(price, err)
	_, err = c.Call(ctx, "price", "")
	var gone *rpc.PeerGoneError
	fmt.Println(rpc.StatusCode(err), errors.As(err, &gone))
	cancel()
	c.Close()
	r.Close()
	// Output:
	// 12.5 <nil>
	// INVALID_ARGUMENT false
}
