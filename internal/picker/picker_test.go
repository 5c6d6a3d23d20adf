package picker

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/stretchr/testify/assert"
)

var items = []Item{
	{Number: 1, Name: "Raw sockets", Minutes: 75, Status: "done"},
	{Number: 2, Name: "The TCP server framework", Minutes: 90, Status: "started", Current: true},
	{Number: 3, Name: "Reading a request", Minutes: 90, Status: "not started"},
}

func press(m tea.Model, keys ...string) tea.Model {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m, _ = m.Update(msg)
	}
	return m
}

func TestPickerStartsOnTheCurrentLesson(t *testing.T) {
	m := press(New(items, "Lessons"), "enter")
	assert.Equal(t, Choice{Command: "show", Lesson: 2}, m.(Model).Choice)
}

func TestPickerKeys(t *testing.T) {
	for k, want := range map[string]Choice{
		"c": {"check", 3}, "h": {"hint", 3}, "w": {"watch", 3}, "s": {"show", 3},
	} {
		m := press(New(items, "Lessons"), "down", k)
		assert.Equal(t, want, m.(Model).Choice, k)
	}
}

func TestPickerFilterTakesTheKeys(t *testing.T) {
	m := press(New(items, "Lessons"), "/", "r", "a", "w")
	assert.Equal(t, Choice{}, m.(Model).Choice, "typing in the filter chooses nothing")
}

func TestPickerView(t *testing.T) {
	m, _ := New(items, "Lessons").Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	v := m.View()
	assert.Contains(t, v, "✓  1  Raw sockets")
	assert.Contains(t, v, "▶  2  The TCP server framework")
	assert.True(t, strings.Contains(v, "check"), v)
}
