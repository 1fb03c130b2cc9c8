// Command procstat prints one sample of a Linux process's memory and CPU
// use as JSON, for scripts/bench.sh:
//
//	{"pid":123,"rss_kib":14200,"hwm_kib":15100,"cpu_s":0.42}
//
// rss_kib and hwm_kib are VmRSS and VmHWM from /proc/PID/status; cpu_s is
// utime+stime from /proc/PID/stat in seconds (at USER_HZ = 100, which
// Linux fixes for every architecture's user-space ABI).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

const userHZ = 100

func main() {
	pid := flag.Int("pid", 0, "the process to sample")
	flag.Parse()
	if *pid <= 0 {
		fmt.Fprintln(os.Stderr, "procstat: give -pid")
		os.Exit(2)
	}
	rss, hwm, err := memory(*pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "procstat:", err)
		os.Exit(1)
	}
	cpu, err := cpuSeconds(*pid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "procstat:", err)
		os.Exit(1)
	}
	fmt.Printf(`{"pid":%d,"rss_kib":%d,"hwm_kib":%d,"cpu_s":%.2f}`+"\n", *pid, rss, hwm, cpu)
}

// memory returns VmRSS and VmHWM in KiB.
func memory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		switch k {
		case "VmRSS":
			rss, err = strconv.ParseInt(f[0], 10, 64)
		case "VmHWM":
			hwm, err = strconv.ParseInt(f[0], 10, 64)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("parse %s: %w", k, err)
		}
	}
	return rss, hwm, nil
}

// cpuSeconds returns utime+stime (fields 14 and 15 of /proc/PID/stat).
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc/PID/stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state), so utime (14) is f[11] and stime (15) f[12].
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return float64(ut+st) / userHZ, nil
}
