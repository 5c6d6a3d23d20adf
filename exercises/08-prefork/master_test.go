// Don't change the tests: tutor check runs them as they are.

package httpd_test

import (
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// settle waits until the workers have run longer than minUptime (one
// second), so that a death now is not taken for a failure to start.
func settle(since time.Time) {
	time.Sleep(time.Until(since.Add(1500 * time.Millisecond)))
}

func TestWorkersServe(t *testing.T) {
	m := startMaster(t, "-workers", "3")
	workers := m.waitReady(3, startLimit)

	// Not more than 3 either, a moment later.
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, workers, m.live(), "the master's live children "+
		"changed with nothing to disturb them: want the same 3 workers")

	for i := range 6 {
		pid := m.get("/")
		if pid == 0 {
			continue
		}
		assert.Contains(t, workers, pid, "request %d was answered by "+
			"PID %d, which is not one of the master's workers %v",
			i+1, pid, workers)
	}
}

func TestLoadSpreads(t *testing.T) {
	t.Run("inherit: accept-then-serve workers take one each", func(t *testing.T) {
		// Each worker serves one connection at a time, so three
		// slow requests at once must go to three workers.
		m := startMaster(t, "-workers", "3", "-conns", "1")
		workers := m.waitReady(3, startLimit)
		pids, errs := fetchAll(m.addr, "/?ms=400", 3, 10*time.Second)
		for i, err := range errs {
			require.NoError(t, err, "request %d of 3 sent at once\n%s",
				i+1, m.stderr())
		}
		assert.Len(t, distinct(pids), 3, "3 requests of 400 ms sent "+
			"at once to 3 workers that take one connection each "+
			"were answered by %v: want 3 different workers of %v",
			pids, workers)
		for _, pid := range pids {
			assert.Contains(t, workers, pid, "PID %d is not one of the "+
				"master's workers", pid)
		}
	})
	t.Run("reuseport: the kernel spreads connections", func(t *testing.T) {
		m := startMaster(t, "-workers", "3", "-mode", "reuseport")
		workers := m.waitReady(3, startLimit)
		var pids []int
		for range 24 {
			pids = append(pids, m.get("/"))
		}
		assert.Greater(t, len(distinct(pids)), 1, "24 connections, one "+
			"after another, were all answered by %v: with SO_REUSEPORT "+
			"the kernel should pick among the 3 workers %v",
			distinct(pids), workers)
		for _, pid := range distinct(pids) {
			assert.Contains(t, workers, pid, "PID %d is not one of the "+
				"master's workers", pid)
		}
	})
}

func TestStopReapsAll(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		path  string        // a request in flight when the stop comes
		least time.Duration // the stop takes at least this long
		ok    bool          // the request in flight gets its answer
	}{
		{name: "idle workers"},
		{name: "a request in flight is answered first",
			path: "/?ms=1500", least: time.Second, ok: true},
		{name: "a worker that overstays -graceful-timeout is killed",
			args: []string{"-graceful-timeout", "1s"},
			path: "/?ms=10000", least: 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMaster(t, append([]string{"-workers", "3"},
				tt.args...)...)
			workers := m.waitReady(3, startLimit)
			answered := make(chan error, 1)
			if tt.path != "" {
				go func() {
					_, err := fetch(m.addr, tt.path, 15*time.Second)
					answered <- err
				}()
				time.Sleep(300 * time.Millisecond) // now in flight
			}

			took := m.signal(syscall.SIGTERM, 8*time.Second)
			assert.Equal(t, 0, m.exitCode(), "the master's exit "+
				"status after SIGTERM\n%s", m.stderr())
			for _, pid := range distinct(append(workers,
				m.spawned()...)) {
				assert.True(t, gone(pid), "worker %d: %s, after the "+
					"master exited: the master must stop and reap "+
					"(wait for) every worker first", pid, describe(pid))
			}
			assert.GreaterOrEqual(t, took, tt.least, "the master "+
				"exited %v after SIGTERM, with a request in flight: "+
				"too soon", took.Round(time.Millisecond))
			if tt.path != "" {
				err := <-answered
				if tt.ok {
					assert.NoError(t, err, "the request in flight "+
						"when the master got SIGTERM: a worker "+
						"finishes it before it exits, if the master "+
						"waits\n%s", m.stderr())
				} else {
					assert.Error(t, err, "the request of 10 s should "+
						"have been cut by SIGKILL after 1 s")
				}
			}
		})
	}
}

func TestRestartsDeadWorker(t *testing.T) {
	tests := []struct {
		name string
		kill func(workers []int) []int // the PIDs to kill
	}{
		{"one worker killed", func(w []int) []int { return w[1:2] }},
		{"every worker killed at once", func(w []int) []int { return w }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := startMaster(t, "-workers", "3", "-conns", "1")
			begin := time.Now()
			workers := m.waitReady(3, startLimit)
			settle(begin)

			victims := tt.kill(workers)
			for _, pid := range victims {
				require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
			}
			killed := time.Now()
			var now []int
			for time.Since(killed) < time.Second {
				now = m.live()
				if len(now) == 3 && !overlaps(now, victims) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			m.requireRunning()
			if !assert.True(t, len(now) == 3 && !overlaps(now, victims),
				"1 s after SIGKILL to %v, the master's live workers "+
					"are %v: want 3, the dead replaced\n%s", victims, now,
				m.stderr()) {
				return
			}

			// The new workers serve: three slow requests at once
			// go to three workers, as each takes one at a time.
			now = m.waitReady(3, startLimit)
			pids, errs := fetchAll(m.addr, "/?ms=300", 3, 10*time.Second)
			for i, err := range errs {
				require.NoError(t, err, "request %d of 3 after the "+
					"restart\n%s", i+1, m.stderr())
			}
			assert.ElementsMatch(t, now, pids, "3 requests at once "+
				"after the restart were answered by %v: want the 3 "+
				"live workers %v", pids, now)
		})
	}
}

func TestNoZombies(t *testing.T) {
	m := startMaster(t, "-workers", "3", "-conns", "1")
	begin := time.Now()
	workers := m.waitReady(3, startLimit)
	settle(begin)

	var dead []int
	for round := range 3 {
		victim := workers[round%len(workers)]
		require.NoError(t, syscall.Kill(victim, syscall.SIGKILL))
		dead = append(dead, victim)
		time.Sleep(time.Second)
		m.requireRunning()
		assert.Empty(t, m.zombies(), "1 s after SIGKILL to worker %d, "+
			"the master has zombie children (state Z in ps: exited, "+
			"never waited for): every worker must be reaped with Wait",
			victim)
		for _, pid := range dead {
			assert.True(t, gone(pid), "worker %d was killed 1 s ago, "+
				"and %s", pid, describe(pid))
		}
		workers = m.live()
		if len(workers) == 0 {
			t.Fatalf("the master has no live worker left\n%s",
				m.stderr())
		}
	}
}

func TestCrashLoopBacksOff(t *testing.T) {
	const window = 4 * time.Second
	const most = 20 // starts in the window; a tight loop makes hundreds
	m := startMaster(t, "-workers", "2", "-crash")
	select {
	case <-m.exited:
	case <-time.After(window):
	}
	starts := len(m.spawned())
	running := m.running()
	if running {
		syscall.Kill(m.pid, syscall.SIGTERM)
		select {
		case <-m.exited:
		case <-time.After(8 * time.Second):
			t.Fatalf("the master did not exit within 8 s of SIGTERM\n%s",
				m.stderr())
		}
	}
	all := m.spawned()

	require.GreaterOrEqual(t, starts, 2, "the master started %d "+
		"workers, want -workers 2 at least\n%s", starts, m.stderr())
	assert.LessOrEqual(t, starts, most, "workers that exit at once "+
		"were started %d times in %v: the master must back off (wait "+
		"longer after each failure) or give up, not respawn in a "+
		"tight loop", starts, window)
	if running {
		assert.Greater(t, starts, 2, "in %v the master neither "+
			"replaced the 2 workers that exited at once nor gave up: "+
			"want it to restart them (after a delay), or to exit with "+
			"an error\n%s", window, m.stderr())
		assert.Equal(t, 0, m.exitCode(), "the master was still backing "+
			"off and got SIGTERM: want exit status 0\n%s", m.stderr())
	} else {
		assert.NotEqual(t, 0, m.exitCode(), "the master gave up on "+
			"workers that cannot start: want a non-zero exit status "+
			"and the reason on stderr\n%s", m.stderr())
	}
	for _, pid := range all {
		assert.True(t, gone(pid), "worker %d: %s, after the master "+
			"exited: the master must reap every worker first", pid,
			describe(pid))
	}
	state := "was still backing off"
	if !running {
		state = fmt.Sprintf("gave up, exit status %d", m.exitCode())
	}
	t.Logf("%d starts in %v; the master %s", starts, window, state)
}

// overlaps reports whether a and b share a PID.
func overlaps(a, b []int) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
