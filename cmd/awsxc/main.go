// Command awsxc is the awsxc system tray app (package tray); it builds everywhere.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/tray"
)

var version = "dev" // set with -ldflags "-X main.version=..."

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	debug := flag.Bool("debug", false, "log debug details (never secrets) to stderr")
	autostart := flag.String("autostart", "", "turn Start at login `on` or off, then exit (for installers)")
	flag.Parse()
	switch {
	case *showVersion:
		fmt.Println("awsxc", version)
		return
	case *autostart != "":
		os.Exit(setAutostart(*autostart))
	}
	level := map[bool]slog.Level{false: slog.LevelInfo, true: slog.LevelDebug}[*debug]
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	wd, _ := os.Getwd()
	switch err := tray.Run(ctx, tray.Options{Version: version, Logger: log, Env: engine.NewEnv(os.Getenv, wd)}); {
	case errors.Is(err, tray.ErrAlreadyRunning):
		fmt.Fprintln(os.Stderr, "awsxc is already running")
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "awsxc: error:", err)
		os.Exit(1)
	}
}

// setAutostart runs awsxc --autostart on|off and returns the exit status.
func setAutostart(v string) int {
	if v != "on" && v != "off" {
		fmt.Fprintf(os.Stderr, "awsxc: error: --autostart %q: want on or off\n", v)
		return 2
	}
	if err := tray.SetAutostart(v == "on"); err != nil {
		fmt.Fprintln(os.Stderr, "awsxc: error:", err)
		return 1
	}
	return 0
}
