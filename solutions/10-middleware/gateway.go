// This file is given: it needs no editing.

// Package gateway is the workbook's gateway interface: the contract
// between a server and an application, in the spirit of Python's
// PEP 3333 (WSGI), written for Go. The lesson text sets the two side by
// side; in short:
//
//	PEP 3333                       package gateway
//	app(environ, start_response)   App.Call(env, start) (Body, error)
//	environ dict: CGI variables    Environ.Vars map[string]string
//	environ dict: wsgi.* keys      Environ fields: Input, Errors, ...
//	start_response(status,         StartResponse(status, headers,
//	  headers, exc_info=None)        excInfo) (write, err)
//	return an iterable of bytes    Body.Next() until io.EOF
//	iterable.close()               Body.Close(), exactly once
//	raise an exception             return an error
//
// A server calls the App once per request with an Environ and a
// StartResponse. The app calls start with a status and header fields,
// and returns a Body whose chunks the server sends, one at a time,
// then closes. Handler (handler.go) runs apps on the HTTP server of
// package httpd; Server (server.go) is the two put together.
package gateway

import (
	"io"
)

// App is an application: the Go counterpart of a WSGI callable.
//
// Call is called once per request, possibly from many goroutines at
// once (see Environ.Multithread). It must call start, once, before the
// Body yields its first non-empty chunk (it may call it from Next), and
// return the Body, or an error. The Environ and start are valid until
// the Body is closed, or Call returns an error.
//
// An error returned by Call, or by Next, fails the request: before the
// status line has been sent, the client gets a 500 page; after, the
// connection is closed early so the client can tell the response is
// incomplete. An error that Environ.Input returned is the client's,
// not the app's: it gets the status the HTTP server gave it (400 for a
// malformed body).
type App interface {
	Call(env *Environ, start StartResponse) (Body, error)
}

// AppFunc lets an ordinary function be an App.
type AppFunc func(env *Environ, start StartResponse) (Body, error)

// Call calls f(env, start).
func (f AppFunc) Call(env *Environ, start StartResponse) (Body, error) {
	return f(env, start)
}

// Environ is what the server tells the app about one request: the
// environ dict of PEP 3333, split in two. Vars holds the CGI
// meta-variables, strings as in RFC 3875; the wsgi.* keys, which are
// not strings, are typed fields.
type Environ struct {
	// Vars holds, as CGI defines them (RFC 3875 §4.1):
	//
	//	REQUEST_METHOD   "GET", never empty
	//	SCRIPT_NAME      "" or "/app": where the app is mounted,
	//	                 never "/" and never ending in "/"
	//	PATH_INFO        "" or "/a b": the rest of the path,
	//	                 percent-decoded, without the query
	//	QUERY_STRING     "x=1": as sent, "" if none, always present
	//	CONTENT_TYPE     the Content-Type field; absent if none
	//	CONTENT_LENGTH   the body's length; absent if the request
	//	                 has no Content-Length
	//	SERVER_NAME      the server's host, never empty
	//	SERVER_PORT      its port, never empty
	//	SERVER_PROTOCOL  "HTTP/1.1" or "HTTP/1.0", as the client sent
	//	SERVER_SOFTWARE  the server's name
	//	GATEWAY_INTERFACE "CGI/1.1"
	//	REMOTE_ADDR      the client's IP address
	//	REQUEST_URI      the request-target exactly as sent (common,
	//	                 though not in RFC 3875)
	//	HTTP_NAME        each other request field, its name in upper
	//	                 case with "-" as "_" (HTTP_USER_AGENT);
	//	                 repeated fields joined with ","
	//
	// An app or a middleware may add variables of its own; a dotted
	// lower-case name ("route.id") keeps them apart from CGI's.
	Vars map[string]string

	// Version is the version of this interface, wsgi.version: {1, 0}.
	Version [2]int
	// URLScheme is "http" or "https", wsgi.url_scheme.
	URLScheme string
	// Input reads the request body, wsgi.input.
	Input Input
	// Errors is where the app writes its diagnostics, wsgi.errors:
	// the server's log. Each Write is one entry of that log.
	Errors io.Writer
	// Multithread is true when the server may call the app again
	// while a call is running, from another goroutine.
	Multithread bool
	// Multiprocess is true when other processes run the same app and
	// serve the same clients, so they share no memory.
	Multiprocess bool
	// RunOnce is true when the app is called once in its process's
	// life (as under CGI): nothing is worth caching.
	RunOnce bool
}

// Input reads the body of the request, decoded (no chunk framing), and
// gives io.EOF at its end: it never reads past CONTENT_LENGTH, so a
// request that follows on the connection stays intact. A body that
// cannot be read (malformed, cut short) gives an error the app should
// return as it is.
//
// Read is Python's read(n); io.ReadAll(in) is read(). ReadLine is
// readline(): it returns the next line with its "\n", or, for a line
// longer than 64 KiB, a piece of it; the last line may lack its "\n".
// After the last byte it returns nil and io.EOF. The bytes it returns
// are the caller's to keep. Reads and ReadLines may be mixed.
type Input interface {
	Read(p []byte) (int, error)
	ReadLine() ([]byte, error)
}

// StartResponse is start_response: the app calls it to give the
// status and the header fields, before the first byte of the body.
//
// status is a code and a reason phrase, "200 OK" or "404 Not Found":
// three digits (200 to 599: a 1xx is the server's), one space, then
// a reason without control bytes. headers are
// name-value pairs, {{"Content-Type", "text/plain"}}; the names are
// tokens, the values have no control byte (CR, LF, NUL...) but tab, so
// a field can never end early and forge another one. Hop-by-hop
// fields (Connection, Keep-Alive, Proxy-Authenticate,
// Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade) are
// the server's business, not the app's. The server adds Date and
// Server unless the app gave them, and chooses the framing: a
// Content-Length from the app (digits only) is honoured: the server
// never sends more, and closes the connection if the app sends less.
//
// Nothing is sent yet: the status and fields leave with the first
// non-empty chunk, the first call of write, or the end of the body.
//
// It may be called once. It may be called again only with excInfo,
// the error that made the app change its mind: if nothing has been
// sent yet, the new status and fields replace the old; if the header
// has left, it is too late, and start returns excInfo itself, which
// the app must return. Any other call fails with an error: the app
// should return it, and the request fails with it even if the app does
// not (unless a later call with excInfo succeeds).
//
// write is PEP 3333's write(): it sends p at once, before anything the
// Body yields, and returns an error when the response cannot go on.
// It exists for old apps; a Body is better.
type StartResponse func(status string, headers [][2]string,
	excInfo error) (write func(p []byte) error, err error)

// Body is the body of a response: the iterable a WSGI app returns.
//
// Next returns the next chunk, or io.EOF after the last; any other
// error fails the response. The server sends each chunk to the client
// before it asks for the next, so an app can stream; an empty chunk
// sends nothing. A chunk returned with an error is ignored. The server
// is done with a chunk when it calls Next again or Close.
//
// Close is called exactly once by the server, whatever happens: after
// io.EOF, after an error, when the client goes away, and also when
// Call returned a Body together with an error. It releases what the
// body holds (a file, a database cursor); its error is logged.
type Body interface {
	Next() ([]byte, error)
	Close() error
}

// List returns a Body whose chunks are all known already: the Go
// counterpart of an app's `return [b"Hello"]`. Because the server
// knows the whole body, it sends a Content-Length.
func List(chunks ...[]byte) *ListBody {
	return &ListBody{chunks: chunks}
}

// ListBody is the Body List returns.
type ListBody struct {
	chunks [][]byte
}

// Next returns the next chunk, or io.EOF after the last.
func (b *ListBody) Next() ([]byte, error) {
	if len(b.chunks) == 0 {
		return nil, io.EOF
	}
	c := b.chunks[0]
	b.chunks = b.chunks[1:]
	return c, nil
}

// Len returns how many bytes Next has not yet returned.
func (b *ListBody) Len() int64 {
	var n int64
	for _, c := range b.chunks {
		n += int64(len(c))
	}
	return n
}

// Close drops the chunks.
func (b *ListBody) Close() error {
	b.chunks = nil
	return nil
}

// ServerSoftware is SERVER_SOFTWARE, and the Server field the HTTP
// server sends.
const ServerSoftware = "socket2gateway-httpd"
