//go:build !linux && !darwin && !windows

package platform

import "context"

func prompt(ctx context.Context, title, text string) (string, error) { return "", ErrUnsupported }
