package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/awsxc/awsxc/engine"
)

// childEnv builds the environment of an --exec command: the parent's,
// less any profile selection, credentials and account id that would
// compete with the exported ones (an inherited AWS_ACCOUNT_ID of another
// identity would pair that account's endpoints with these credentials),
// plus the exported variables. A value that no environment can carry
// safely (a control character) is an error, as in every env format.
func childEnv(parent []string, c engine.Credentials, region string) ([]string, error) {
	vars, err := engine.EnvVars(c, region)
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{
		// The child is a new session for the user: awsxc-cli run inside it
		// is not a credential_process recursion.
		profileChainVar: true,
	}
	for _, name := range engine.ChildEnvDrop() {
		drop[name] = true
	}
	if region != "" {
		drop["AWS_REGION"], drop["AWS_DEFAULT_REGION"] = true, true
	}
	env := make([]string, 0, len(parent)+6)
	for _, kv := range parent {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			env = append(env, kv)
		}
	}
	for _, v := range vars {
		env = append(env, v.Name+"="+v.Value)
	}
	return env, nil
}

// lookCommand finds argv[0] the way a shell would, so that a missing
// command is reported like one: exit 127.
func lookCommand(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	// As a shell: a file that exists but cannot run is 126, a missing one 127.
	if strings.ContainsRune(name, filepath.Separator) {
		if _, serr := os.Stat(name); serr == nil {
			return "", &exitError{code: 126, msg: "--exec: " + name + ": permission denied"}
		}
	}
	return "", &exitError{code: 127, msg: "--exec: " + name + ": command not found"}
}
