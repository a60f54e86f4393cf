// Package rpcversion holds the request/response protocol version that
// package rpc announces in its hello. Only the module's own test peer
// changes it, to test a version mismatch against another implementation.
package rpcversion

// Version is the fc-version of this side's hello ("1").
var Version = "1"
