package settings

import (
	"fmt"
	"path"
	"slices"
)

// MaxRecent is how many of the profiles chosen last the settings keep.
const MaxRecent = 5

// normalizeProfileLists makes the tray's profile lists what its menu
// expects: never null in the file, no empty names, each name once,
// recent at most MaxRecent long.
func (s *Settings) normalizeProfileLists() {
	clean := func(l []string, limit int) []string {
		out := []string{}
		for _, n := range l {
			if n != "" && !slices.Contains(out, n) && (limit == 0 || len(out) < limit) {
				out = append(out, n)
			}
		}
		return out
	}
	s.Favourites = clean(s.Favourites, 0)
	s.Recent = clean(s.Recent, MaxRecent)
	s.ProductionProfiles = clean(s.ProductionProfiles, 0)
}

// checkProductionProfiles reports the first pattern of
// production_profiles that path.Match cannot read, and drops every such
// pattern: the others keep marking their profiles.
func (s *Settings) checkProductionProfiles() error {
	var bad []string
	s.ProductionProfiles = slices.DeleteFunc(s.ProductionProfiles, func(p string) bool {
		_, err := path.Match(p, "")
		if err != nil {
			bad = append(bad, p)
		}
		return err != nil
	})
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("production_profiles: %q is not a valid pattern (a [ without its ], or a \\ at the end)", bad[0])
}
