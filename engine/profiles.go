package engine

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/config"
)

// ProfileInfo describes a profile without resolving it.
type ProfileInfo struct {
	Name   string
	Kind   Kind   // KindNone when it configures no credentials; "" when its settings are invalid
	Region string // the profile's own region; empty when unset
	Err    error  // why the settings could not be read, if they could not
}

// ListProfileNames lists the profiles of env's config and credentials
// files, config first, each name once, without resolving anything.
// Missing files are empty; an unreadable one is an error.
func ListProfileNames(env Env) ([]string, error) {
	var names []string
	for _, f := range []struct {
		path   string
		config bool
	}{{env.ConfigFile, true}, {env.CredentialsFile, false}} {
		if f.path == "" {
			continue
		}
		data, err := os.ReadFile(f.path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, n := range profileNames(data, f.config) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names, nil
}

// ListProfiles describes every profile of env's files with its kind and
// region. It reads the files through the SDK's config parser and calls
// nothing.
func ListProfiles(ctx context.Context, env Env) ([]ProfileInfo, error) {
	names, err := ListProfileNames(env)
	if err != nil {
		return nil, err
	}
	infos := make([]ProfileInfo, 0, len(names))
	for _, n := range names {
		info := ProfileInfo{Name: n}
		sc, err := config.LoadSharedConfigProfile(ctx, n, env.sharedFiles)
		if err != nil {
			info.Err = classifyLoadError(n, err)
		} else {
			info.Kind, info.Region = kindOf(&sc), sc.Region
		}
		infos = append(infos, info)
	}
	return infos, nil
}
