// Package conformance is one HTTP/1.1 conformance suite that every
// server of the workbook reruns, in the spirit of x/net/nettest's
// TestConn: lesson 3's request reader, lessons 4 to 6's servers and the
// gateway of lessons 9 to 12 must all pass it.
//
// A lesson's test picks the features its server has:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, startServer, conformance.Framing)
//	}
//
// where startServer starts a fresh server for each case (on
// 127.0.0.1:0, closed with t.Cleanup) and returns its address.
//
// Each case talks to the server over a real connection with the wire
// package, so a failure shows the bytes. The cases of one feature live in
// one file (framing.go, responses.go, ...), which registers them in its
// init function; adding a feature touches no other file.
package conformance

import (
	"fmt"
	"testing"
)

// Feature is one area of HTTP behaviour a server can be tested for.
type Feature int

const (
	// Framing: reading requests, and refusing the ones two parties
	// could read differently (RFC 9112 §2 to §7). It needs a server
	// that answers every good request with a 2xx response, after
	// reading its whole body, and refuses a bad one with its error
	// status and a close.
	Framing Feature = iota + 1
	// Responses: status lines, header fields and bodies a client
	// accepts; HEAD, 204 and 304 without a body.
	Responses
	// KeepAlive: persistent connections, pipelining, timeouts.
	KeepAlive
	// Files: serving a folder, and never a byte outside it.
	Files
)

func (f Feature) String() string {
	switch f {
	case Framing:
		return "Framing"
	case Responses:
		return "Responses"
	case KeepAlive:
		return "KeepAlive"
	case Files:
		return "Files"
	}
	return fmt.Sprintf("Feature(%d)", int(f))
}

// Case is one check of the suite.
type Case struct {
	Name    string  // the subtest's name: what the server must do
	Feature Feature // the feature it belongs to
	// Run checks the server at addr, a fresh one for this case.
	Run func(t *testing.T, addr string)
}

// cases holds every registered case, in the order registered. It is
// written only by init functions, so it needs no lock.
var cases []Case

// register adds cases to the suite; call it from an init function.
func register(cs ...Case) {
	cases = append(cases, cs...)
}

// Cases returns the registered cases of the given features, in order.
func Cases(features ...Feature) []Case {
	var out []Case
	for _, f := range features {
		for _, c := range cases {
			if c.Feature == f {
				out = append(out, c)
			}
		}
	}
	return out
}

// Run runs every case of the given features as a subtest,
// Feature/Name, each against a fresh server from addr. addr starts a
// server for the test it is given and returns its address; the server
// must be stopped by that test's cleanup.
func Run(t *testing.T, addr func(t *testing.T) string, features ...Feature) {
	t.Helper()
	if len(features) == 0 {
		t.Fatal("conformance.Run: no feature to test")
	}
	for _, f := range features {
		t.Run(f.String(), func(t *testing.T) {
			cs := Cases(f)
			if len(cs) == 0 {
				t.Fatalf("conformance: no case for %v", f)
			}
			for _, c := range cs {
				t.Run(c.Name, func(t *testing.T) {
					c.Run(t, addr(t))
				})
			}
		})
	}
}
