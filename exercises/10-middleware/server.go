// This file is given: it needs no editing.

package gateway

import (
	"net"

	"socket2gateway/exercises/10-middleware/httpd"
)

// Server is a gateway server: the HTTP server of package httpd, with a
// Handler that runs one App for every request. It is what WSGIServer
// and WSGIRequestHandler are in Python's wsgiref.simple_server.
//
// The fields of the embedded httpd.Server (timeouts, limits, ErrorLog)
// may be set after MakeServer and before ServeForever.
type Server struct {
	httpd.Server
	ln      net.Listener
	handler *Handler
}

// MakeServer listens on addr ("127.0.0.1:8080"; port 0 picks a free
// port) and returns a server for app, as wsgiref's make_server does.
// Nothing is served before ServeForever.
func MakeServer(addr string, app App) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	h := &Handler{App: app, Base: setupEnviron(ln.Addr())}
	s := &Server{ln: ln, handler: h}
	s.Handler = h
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// ServeForever serves requests, each connection in a goroutine of its
// own, until Close; then it returns httpd.ErrServerClosed.
func (s *Server) ServeForever() error {
	s.handler.ErrorLog = s.ErrorLog
	return s.Serve(s.ln)
}

// Close stops the server: it closes the listener and every connection,
// and waits for ServeForever and the connections to end. It is safe to
// call more than once, and without ServeForever.
func (s *Server) Close() error {
	err := s.Server.Close()
	s.ln.Close()
	return err
}
