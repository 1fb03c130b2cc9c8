package daemon

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConfigDiff changes each field of a Config alone, found by
// reflection so that a field added later is covered too: each makes the
// Config another one, named by its JSON key.
func TestConfigDiff(t *testing.T) {
	base := Config{ConfigFile: "/c", CredentialsFile: "/k", Home: "/h", CacheDir: "/cache", Region: "r",
		ContainerRelativeURI: "/rel", ContainerFullURI: "http://x", SDK: map[string]string{"AWS_A": "1"}}
	if d := base.Diff(base); d != nil {
		t.Errorf("a Config differs from itself: %v", d)
	}
	if d := (Config{}).Diff(Config{SDK: map[string]string{}}); d != nil {
		t.Errorf("no SDK map and an empty one differ: %v", d)
	}
	typ := reflect.TypeFor[Config]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		other := base
		other.SDK = map[string]string{"AWS_A": "1"}
		v := reflect.ValueOf(&other).Elem().Field(i)
		want := []string{f.Tag.Get("json")}
		switch f.Type.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Map:
			other.SDK["AWS_A"] = "2"
			want = []string{"AWS_A"}
		default:
			t.Fatalf("field %s of kind %v: teach this test", f.Name, f.Type.Kind())
		}
		if diff := cmp.Diff(want, base.Diff(other)); diff != "" {
			t.Errorf("%s changed (-want +got):\n%s", f.Name, diff)
		}
		if diff := cmp.Diff(want, other.Diff(base)); diff != "" {
			t.Errorf("%s changed, the other way (-want +got):\n%s", f.Name, diff)
		}
	}
	extra := base
	extra.SDK = map[string]string{"AWS_A": "1", "AWS_B": "1"}
	if diff := cmp.Diff([]string{"AWS_B"}, base.Diff(extra)); diff != "" {
		t.Errorf("a variable more (-want +got):\n%s", diff)
	}
}
