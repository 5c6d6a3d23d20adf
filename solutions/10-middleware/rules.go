// This file is given: it needs no editing.

package gateway

// The rules Validate (middleware.go) checks, one name each. The
// environ rules are the server's side of the contract, the others the
// app's; the last two are the server's again, on the Body. A
// violation's message starts with "validate: " and its rule, so a log
// line says which rule broke:
//
//	validate: start_response: hop-by-hop field: "Connection" ...
const (
	// REQUEST_METHOD, SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL are
	// present and not empty.
	RuleRequired = "environ: required variable"
	// SCRIPT_NAME is "" or starts with "/", and is never "/".
	RuleScriptName = "environ: SCRIPT_NAME"
	// PATH_INFO is "" or starts with "/".
	RulePathInfo = "environ: PATH_INFO"
	// QUERY_STRING is present, "" when there is no query.
	RuleQueryString = "environ: QUERY_STRING"
	// No HTTP_CONTENT_TYPE or HTTP_CONTENT_LENGTH; CONTENT_LENGTH, if
	// present and not "", is digits.
	RuleContent = "environ: CONTENT_TYPE and CONTENT_LENGTH"
	// Version is {1, 0}; URLScheme "http" or "https"; Input and
	// Errors are not nil.
	RuleGatewayKeys = "environ: gateway keys"

	// The status is "NNN Reason": 200 to 599, a space, no control
	// byte.
	RuleStatus = "start_response: status"
	// A field name is a token and not "Status"; a value has no
	// control byte but tab; a Content-Length is digits.
	RuleHeader = "start_response: header field"
	// No Connection, Keep-Alive, Proxy-Authenticate,
	// Proxy-Authorization, TE, Trailers, Transfer-Encoding, Upgrade.
	RuleHopByHop = "start_response: hop-by-hop field"
	// start is called once, or again only with excInfo.
	RuleStartTwice = "start_response: called twice"
	// Call returns a Body, or an error.
	RuleNoBody = "app: no Body"
	// The Body yields no byte before start succeeded.
	RuleNoStart = "app: body before start_response"
	// write is not called once the body has ended.
	RuleWriteAfterEnd = "app: write after the body ended"

	// The server asks for no chunk after io.EOF, an error, or Close.
	RuleNextAfterEnd = "server: Next after the end"
	// The server closes the Body exactly once: not twice, not never.
	RuleCloseOnce = "server: Close not exactly once"
)

// Violation is a broken rule of the gateway contract: what Validate
// reports, and the error it fails the request with.
type Violation struct {
	Rule   string // one of the Rule constants
	Detail string // what happened, with the values involved
}

func (v *Violation) Error() string {
	return "validate: " + v.Rule + ": " + v.Detail
}
