// Don't change the tests: tutor check runs them as they are.

package gateway_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	gateway "socket2gateway/exercises/10-middleware"
)

// golden is testdata/shift_path_info.json: what Python's wsgiref.util
// answers, written by testdata/golden.py. A nil string is Python's
// None (or a variable that is absent).
type golden struct {
	Python string `json:"python"`
	Shift  []struct {
		Environ    map[string]string `json:"environ"`
		Name       *string           `json:"name"`
		ScriptName *string           `json:"script_name"`
		PathInfo   *string           `json:"path_info"`
	} `json:"shift_path_info"`
	URI []struct {
		Environ           map[string]string `json:"environ"`
		URLScheme         string            `json:"url_scheme"`
		ApplicationURI    string            `json:"application_uri"`
		RequestURI        string            `json:"request_uri"`
		RequestURINoQuery string            `json:"request_uri_no_query"`
	} `json:"uri"`
}

const goldenFile = "testdata/shift_path_info.json"

func readGolden(t *testing.T) *golden {
	t.Helper()
	raw, err := os.ReadFile(goldenFile)
	require.NoError(t, err, "reading the golden values")
	var g golden
	require.NoError(t, json.Unmarshal(raw, &g), "parsing %s", goldenFile)
	require.NotEmpty(t, g.Shift, "cases in %s", goldenFile)
	return &g
}

// checkGoldenIsPython runs testdata/golden.py, where python3 exists,
// and checks that it still writes the committed golden file.
func checkGoldenIsPython(t *testing.T) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the golden values were not " +
			"re-checked against wsgiref (the committed ones are used)")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(python, "testdata/golden.py")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "python3 testdata/golden.py: %s", &stderr)
	committed, err := os.ReadFile(goldenFile)
	require.NoError(t, err)
	var now, then map[string]any
	require.NoError(t, json.Unmarshal(out, &now))
	require.NoError(t, json.Unmarshal(committed, &then))
	delete(now, "python")
	delete(then, "python")
	assert.Equal(t, then, now, "wsgiref.util of this python3 disagrees "+
		"with %s: regenerate it with python3 golden.py", goldenFile)
}

// show returns vars as Go source, keys sorted, for messages.
func show(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %q", k, vars[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func str(p *string) string {
	if p == nil {
		return "None"
	}
	return fmt.Sprintf("%q", *p)
}

// rowName names a row for the path it splits: SCRIPT_NAME +
// PATH_INFO, "none" for a variable that is absent.
func rowName(vars map[string]string) string {
	q := func(k string) string {
		if v, ok := vars[k]; ok {
			return fmt.Sprintf("%q", v)
		}
		return "none"
	}
	return q("SCRIPT_NAME") + " + " + q("PATH_INFO")
}

// result shows what ShiftPathInfo returned and left, as Python would
// print it.
func result(name, script, path *string) string {
	return fmt.Sprintf("returns %s; SCRIPT_NAME %s, PATH_INFO %s",
		str(name), str(script), str(path))
}

func TestShiftPathInfo(t *testing.T) {
	g := readGolden(t)
	for _, c := range g.Shift {
		t.Run(rowName(c.Environ), func(t *testing.T) {
			vars := make(map[string]string)
			for k, v := range c.Environ {
				vars[k] = v
			}
			env := &gateway.Environ{Vars: vars}
			name, ok := gateway.ShiftPathInfo(env)
			var gotName, gotScript, gotPath *string
			if ok {
				gotName = &name
			}
			if v, ok := vars["SCRIPT_NAME"]; ok {
				gotScript = &v
			}
			if v, ok := vars["PATH_INFO"]; ok {
				gotPath = &v
			}
			assert.Equal(t, result(c.Name, c.ScriptName, c.PathInfo),
				result(gotName, gotScript, gotPath),
				"ShiftPathInfo(%s): want what Python %s's "+
					"shift_path_info does", show(c.Environ), g.Python)
		})
	}
	t.Run("python3 agrees with testdata", checkGoldenIsPython)
}

func TestRequestURI(t *testing.T) {
	g := readGolden(t)
	for _, c := range g.URI {
		// The row is named for the URL Python rebuilt.
		t.Run(c.RequestURI, func(t *testing.T) {
			env := &gateway.Environ{Vars: c.Environ,
				URLScheme: c.URLScheme}
			want := "ApplicationURI:        " + c.ApplicationURI +
				"\nRequestURI(env, true):  " + c.RequestURI +
				"\nRequestURI(env, false): " + c.RequestURINoQuery
			got := "ApplicationURI:        " + gateway.ApplicationURI(env) +
				"\nRequestURI(env, true):  " + gateway.RequestURI(env, true) +
				"\nRequestURI(env, false): " + gateway.RequestURI(env, false)
			assert.Equal(t, want, got, "URLScheme %q, %s", c.URLScheme,
				show(c.Environ))
		})
	}
	t.Run("python3 agrees with testdata", checkGoldenIsPython)
}
