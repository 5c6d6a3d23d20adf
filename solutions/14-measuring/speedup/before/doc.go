// This file is given: it needs no editing.

// Package before is lesson 5's HTTP server
// (solutions/05-persistent-connections), its five files copied as they
// are: the "before" of lesson 14's speedup. Package after is the same
// server with two improvements, and
//
//	diff -r speedup/before speedup/after
//
// shows them, whole. cmd/speedup measures the two side by side.
package before
