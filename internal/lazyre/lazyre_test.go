package lazyre

import "testing"

func TestNew(t *testing.T) {
	t.Parallel()
	re := New(`^a+$`)
	first, second := re(), re()
	if first != second || !first.MatchString("aaa") || first.MatchString("b") {
		t.Error("not one compiled expression")
	}
	bad := New(`(`) // compiled only when asked
	defer func() {
		if recover() == nil {
			t.Error("an expression that does not compile did not panic")
		}
	}()
	bad()
}
