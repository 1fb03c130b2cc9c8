// Command servers serves one profile's credentials through
// engine.NewIMDSServer and engine.NewECSServer, as awsxc-cli --imds and
// --container do, for scripts/bench.sh to load. It fetches the
// credentials once before it starts listening, so no request waits on
// STS, then prints
//
//	imds URL
//	ecs URL TOKEN
//
// on standard output and serves until interrupted or until standard
// input reaches end of file. With -cpuprofile it writes a CPU profile of
// the whole serving period, for go tool pprof.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/awsxc/awsxc/engine"
)

func main() {
	profile := flag.String("profile", "static", "the profile to serve")
	token := flag.String("token", "", "the ECS Authorization token (default: random)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*profile, *token, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "servers:", err)
		os.Exit(1)
	}
}

func run(profile, token, cpuProfile string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := engine.NewSource(ctx, engine.SourceOptions{Profile: profile})
	if err != nil {
		return err
	}
	defer src.Close()
	fctx, fcancel := context.WithTimeout(ctx, 30*time.Second)
	_, err = src.Credentials(fctx)
	fcancel()
	if err != nil {
		return err
	}
	imds, err := engine.NewIMDSServer(ctx, src, engine.ServerOptions{})
	if err != nil {
		return err
	}
	defer imds.Close()
	ecs, err := engine.NewECSServer(ctx, src, engine.ServerOptions{Token: token})
	if err != nil {
		return err
	}
	defer ecs.Close()
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("imds %s\necs %s %s\n", imds.URL(), ecs.URL(), ecs.Token())
	waitForStop()
	return nil
}

// waitForStop returns on SIGINT, SIGTERM or end of standard input.
func waitForStop() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	eof := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(eof) }()
	select {
	case <-ctx.Done():
	case <-eof:
	}
}
