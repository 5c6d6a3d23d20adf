// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"fmt"
	"testing"

	gateway "socket2gateway/exercises/10-middleware"
	"socket2gateway/exercises/internal/wire"
)

// where returns an app that answers with its name and the SCRIPT_NAME,
// PATH_INFO and QUERY_STRING it was given.
func where(name string) gateway.App {
	return gateway.AppFunc(func(env *gateway.Environ,
		start gateway.StartResponse) (gateway.Body, error) {
		if _, err := start("200 OK", text, nil); err != nil {
			return nil, err
		}
		return gateway.List([]byte(whereBody(name,
			env.Vars["SCRIPT_NAME"], env.Vars["PATH_INFO"],
			env.Vars["QUERY_STRING"]))), nil
	})
}

func whereBody(name, script, path, query string) string {
	return fmt.Sprintf("%s SCRIPT_NAME=%q PATH_INFO=%q QUERY_STRING=%q\n",
		name, script, path, query)
}

func TestMount(t *testing.T) {
	withRoot, _ := serve(t, gateway.Mount(map[string]gateway.App{
		"":        where("root"),
		"/hello":  where("hello"),
		"/api":    where("api"),
		"/api/v1": where("v1"),
		"/outer": gateway.Mount(map[string]gateway.App{
			"/inner/": where("inner"),
		}),
	}))
	noRoot, _ := serve(t, gateway.Mount(map[string]gateway.App{
		"/hello": where("hello"),
	}))
	tests := []struct {
		name   string
		addr   string
		target string
		// want is the app's answer: its name, SCRIPT_NAME, PATH_INFO
		// and QUERY_STRING; "" means a 404.
		app, script, path, query string
	}{
		{"the prefix alone", withRoot, "/hello",
			"hello", "/hello", "", ""},
		{"the prefix and a slash", withRoot, "/hello/",
			"hello", "/hello", "/", ""},
		{"the prefix and more", withRoot, "/hello/a/b",
			"hello", "/hello", "/a/b", ""},
		{"the query stays", withRoot, "/hello/a?x=1",
			"hello", "/hello", "/a", "x=1"},
		{"whole segments only", withRoot, "/helloworld",
			"root", "", "/helloworld", ""},
		{"the longest prefix wins", withRoot, "/api/v1/users",
			"v1", "/api/v1", "/users", ""},
		{"the longest prefix, alone", withRoot, "/api/v1",
			"v1", "/api/v1", "", ""},
		{"a shorter prefix", withRoot, "/api/v2/users",
			"api", "/api", "/v2/users", ""},
		{"double slashes, as shift_path_info", withRoot, "//hello//a",
			"hello", "/hello", "/a", ""},
		{"a dot segment, as shift_path_info", withRoot, "/./hello/a",
			"hello", "/hello", "/a", ""},
		{"the root: SCRIPT_NAME is never /", withRoot, "/",
			"root", "", "/", ""},
		{"nested mounts", withRoot, "/outer/inner/x",
			"inner", "/outer/inner", "/x", ""},
		{"nested, the inner prefix and a slash", withRoot,
			"/outer/inner/", "inner", "/outer/inner", "/", ""},
		{"no match: 404", noRoot, "/nothing", "", "", "", ""},
		{"no match at the root: 404", noRoot, "/", "", "", "", ""},
		{"no root, a prefix", noRoot, "/hello/x",
			"hello", "/hello", "/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := wire.Dial(t, tt.addr)
			c.Send(get(tt.target))
			r := c.ReadResponse()
			if tt.app == "" {
				wire.ExpectStatus(t, r, 404)
				return
			}
			if wire.ExpectStatus(t, r, 200) {
				wire.ExpectBody(t, r, whereBody(tt.app, tt.script,
					tt.path, tt.query))
			}
		})
	}
}
