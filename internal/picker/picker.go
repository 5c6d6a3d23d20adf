// Package picker is the lesson picker `tutor` shows on a terminal: the
// lessons with their status, a filter, and keys that open a lesson,
// check it, give a hint or watch it. It only chooses; the caller runs
// the chosen command once the picker has given the terminal back.
package picker

import (
	"fmt"
	"io"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
)

// Item is one lesson in the picker.
type Item struct {
	Number  int
	Name    string
	Part    string
	Minutes int
	Status  string // done, started, not started
	Current bool
}

// Title is what the list shows on the first line.
func (i Item) Title() string {
	mark := " "
	switch {
	case i.Status == "done":
		mark = "✓"
	case i.Current:
		mark = "▶"
	}
	return fmt.Sprintf("%s %2d  %s", mark, i.Number, i.Name)
}

// Description is the second line.
func (i Item) Description() string {
	s := fmt.Sprintf("     %d min · %s", i.Minutes, i.Status)
	if i.Current {
		s += ", current"
	}
	if i.Part != "" {
		s += " · " + i.Part
	}
	return s
}

// FilterValue is what the filter matches.
func (i Item) FilterValue() string { return fmt.Sprintf("%d %s %s", i.Number, i.Name, i.Part) }

// Choice is what the learner picked: a tutor command and a lesson.
type Choice struct {
	Command string // "show", "check", "hint", "watch"; "" when they quit
	Lesson  int
}

var keys = struct{ show, check, hint, watch key.Binding }{
	show:  key.NewBinding(key.WithKeys("enter", "s"), key.WithHelp("enter", "read")),
	check: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check")),
	hint:  key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "hint")),
	watch: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "watch")),
}

// Model is the picker's bubbletea model.
type Model struct {
	list   list.Model
	Choice Choice
}

// New returns a picker over items with the current lesson selected.
func New(items []Item, title string) Model {
	li := make([]list.Item, len(items))
	selected := 0
	for i, it := range items {
		li[i] = it
		if it.Current {
			selected = i
		}
	}
	l := list.New(li, list.NewDefaultDelegate(), 80, 24)
	l.Title = title
	l.SetStatusBarItemName("lesson", "lessons")
	l.Select(selected)
	extra := func() []key.Binding { return []key.Binding{keys.show, keys.check, keys.hint, keys.watch} }
	l.AdditionalShortHelpKeys = extra
	l.AdditionalFullHelpKeys = extra
	return Model{list: l}
}

// Init starts nothing.
func (m Model) Init() tea.Cmd { return nil }

// Update handles a key or a resize.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.list.SetSize(msg.Width, msg.Height)
	case tea.KeyMsg:
		if m.list.FilterState() == list.Filtering {
			break // keys go to the filter
		}
		it, ok := m.list.SelectedItem().(Item)
		for cmd, b := range map[string]key.Binding{"show": keys.show, "check": keys.check, "hint": keys.hint, "watch": keys.watch} {
			if ok && key.Matches(msg, b) {
				m.Choice = Choice{Command: cmd, Lesson: it.Number}
				return m, tea.Quit
			}
		}
	}
	var cmd tea.Cmd
	m.list, cmd = m.list.Update(msg)
	return m, cmd
}

// View draws the list.
func (m Model) View() string { return m.list.View() }

// Run shows the picker on the terminal until the learner chooses or
// quits, and returns the choice.
func Run(items []Item, title string, in io.Reader, out io.Writer) (Choice, error) {
	p := tea.NewProgram(New(items, title), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen())
	final, err := p.Run()
	if err != nil {
		return Choice{}, err
	}
	return final.(Model).Choice, nil
}
