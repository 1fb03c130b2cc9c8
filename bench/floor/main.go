// Command floor prints a constant credential_process JSON document and
// exits: the least a Go program can do, so the start-up floor that
// scripts/bench.sh compares awsxc-cli against.
package main

import "os"

const doc = `{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"secret"}` + "\n"

func main() {
	os.Stdout.WriteString(doc)
}
