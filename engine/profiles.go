package engine

import (
	"fmt"
	"slices"
	"strings"
)

// KindMixed is the listing's label for a profile that configures two
// sources the AWS CLI and the Go SDK choose between differently (SSO and
// keys, say); [ProfileInfo.Note] says what each would use. [Load] never
// returns it: resolving, the SDK decides.
const KindMixed Kind = "mixed"

// ProfileInfo describes a profile as the files list it, without
// resolving it.
type ProfileInfo struct {
	Name string
	// Kind is read from the keys the profile sets in either file, the way
	// every SDK agrees on them; KindMixed where they do not; "" when the
	// profile cannot be resolved as it is (Err says why). Resolving it,
	// the SDK decides ([Profile.Kind]); the two differ only for a profile
	// the listing flags.
	Kind   Kind
	Region string // the profile's own region; empty when unset
	// Note says, for KindMixed, what the AWS CLI and awsxc (the Go SDK)
	// would each use, and otherwise what the profile also sets that every
	// tool ignores; empty when there is nothing to say.
	Note string
	Err  error // why the profile cannot be resolved as it is, if it cannot

	// SSOSession, AccountID and RoleName are the profile's own
	// sso_session, sso_account_id and sso_role_name; SSOStartURL its
	// sso_start_url (a legacy IAM Identity Center profile sets it instead
	// of sso_session). Empty when unset.
	SSOSession, SSOStartURL, AccountID, RoleName string
	// AccountName is the name of AccountID's account as a sync recorded
	// it (the "# account:" comments of the config file's sync blocks);
	// empty when no sync did.
	AccountName string
	// Synced says that a sync wrote the profile: it is inside the sync
	// block of its sso-session ([SyncSSO]).
	Synced bool
	// SSORegion and LoginSession are the profile's own sso_region and
	// login_session (aws login); empty when unset.
	SSORegion, LoginSession string
	// SignInVia is the profile whose IAM Identity Center or aws login
	// settings this one's credentials come from, as the Go SDK picks
	// them: the profile itself, or for a role the last of its
	// source_profile chain; "" when it signs in to no session (keys, a
	// credential_process, a web identity token, credential_source, or
	// settings that cannot be resolved). With it a front end finds the
	// sign-in session of every profile in one pass over the listing
	// (engine/signin does).
	SignInVia string
}

// Listing is what [ListProfiles] finds in the AWS files.
type Listing struct {
	Profiles []ProfileInfo
	// Warnings are about the files themselves: a folder where a file
	// should be, a section that appears twice (which makes the AWS CLI
	// refuse the whole file).
	Warnings []FileWarning
	// SSOSessions are the config file's [sso-session NAME] sections, in
	// file order: the sessions a sync can list the accounts of.
	SSOSessions []string
}

// ListProfileNames lists the profiles of env's config and credentials
// files, config first, each name once, without resolving anything. Each
// file is read once; missing files are empty, and the errors are those of
// [ListProfiles].
func ListProfileNames(env Env) ([]string, error) {
	af, err := readAWSFiles(env)
	if err != nil {
		return nil, err
	}
	return af.names(), nil
}

// ListProfiles describes every profile of env's files with its kind and
// region, reading each file once however many profiles it holds and
// calling nothing: the kinds come from the keys each profile sets (see
// [ProfileInfo.Kind]). A missing file, a folder and /dev/null are empty;
// a file that cannot be read, is not a regular file or is larger than
// [MaxAWSFileSize] is an error.
func ListProfiles(env Env) (*Listing, error) {
	af, err := readAWSFiles(env)
	if err != nil {
		return nil, err
	}
	names := af.names()
	l := &Listing{Profiles: make([]ProfileInfo, 0, len(names)), Warnings: af.warnings}
	synced := af.config.syncedAccounts()
	for _, n := range names {
		info := af.info(n)
		af.ssoInfo(&info, synced)
		l.Profiles = append(l.Profiles, info)
	}
	af.signInVia(l.Profiles)
	if af.config.ini != nil {
		l.SSOSessions = ssoSessionNames(af.config.ini)
	}
	return l, nil
}

// names lists the profiles, config file first, each once.
func (af *awsFiles) names() []string {
	names := slices.Clone(af.config.order)
	for _, n := range af.creds.order {
		if af.config.section(n) == nil {
			names = append(names, n)
		}
	}
	return names
}

// The sources a profile's keys can configure, for the listing.
const (
	srcKeys    = "keys"
	srcSSO     = "sso"
	srcLogin   = "login_session"
	srcProcess = "credential_process"
)

// info labels profile name from its keys alone.
func (af *awsFiles) info(name string) ProfileInfo {
	info := ProfileInfo{Name: name}
	if v, ok := af.value(name, "region"); ok {
		info.Region = sdkValue(v)
	}
	if err := af.duplicated(name); err != nil {
		info.Err = err
		return info
	}
	set := func(key string) bool {
		v, ok := af.value(name, key)
		return ok && sdkValue(v) != ""
	}
	invalid := func(format string, args ...any) ProfileInfo {
		info.Err = &Error{Profile: name, Kind: ErrInvalidConfig, Err: fmt.Errorf(format, args...)}
		return info
	}
	if err := af.roleSourceError(name, name); err != nil {
		info.Err = err
		return info
	}
	if err := af.webIdentityKeysError(name); err != nil {
		info.Err = err
		return info
	}
	switch {
	case set("role_arn") && set("web_identity_token_file"):
		info.Kind = KindWebIdentity
		return info
	case set("role_arn"):
		// roleSourceError has checked it has exactly one source.
		info.Kind = KindAssumeRole
		if af.has(name, "aws_access_key_id") || af.has(name, "credential_process") || af.has(name, "sso_session") {
			info.Note = "its own keys or credential_process are not used: every tool assumes the role from its source"
		}
		return info
	}
	for _, k := range []string{"source_profile", "credential_source", "web_identity_token_file"} {
		if set(k) {
			return invalid("it sets %s but no role_arn", k)
		}
	}
	if set("aws_access_key_id") != set("aws_secret_access_key") {
		return invalid("it sets only one of aws_access_key_id and aws_secret_access_key")
	}
	var srcs []string
	if set("aws_access_key_id") {
		srcs = append(srcs, srcKeys)
	}
	if set("sso_session") || set("sso_start_url") || set("sso_account_id") || set("sso_role_name") || set("sso_region") {
		srcs = append(srcs, srcSSO)
	}
	if set("login_session") {
		srcs = append(srcs, srcLogin)
	}
	if set("credential_process") {
		srcs = append(srcs, srcProcess)
	}
	if len(srcs) == 0 {
		info.Kind = KindNone
		return info
	}
	goSrc := srcs[0] // the Go SDK's order: keys, SSO, login, process
	cliSrc := af.cliSource(name, srcs)
	if len(srcs) > 1 && cliSrc != goSrc {
		info.Kind = KindMixed
		cli := "the AWS CLI uses " + srcName(cliSrc)
		if cliSrc == "" {
			cli = "the AWS CLI may choose another"
		}
		info.Note = fmt.Sprintf("sets %s: awsxc (the Go SDK) uses %s, %s", strings.Join(srcNames(srcs), " and "), srcName(goSrc), cli)
		return info
	}
	switch goSrc {
	case srcKeys:
		info.Kind = KindStatic
		if set("aws_session_token") || set("aws_security_token") {
			info.Kind = KindSession
		}
	case srcSSO:
		info.Kind = KindSSO
	case srcLogin:
		info.Kind = KindLogin
	case srcProcess:
		info.Kind = KindProcess
	}
	if len(srcs) > 1 {
		info.Note = fmt.Sprintf("also sets %s, which every tool ignores", strings.Join(srcNames(srcs[1:]), " and "))
	}
	return info
}

// cliSource is the source the AWS CLI takes for a profile that sets
// srcs (in the Go SDK's order): botocore tries SSO, then keys in the
// credentials file, then credential_process, then keys in the config
// file. "" when it depends on the CLI's version (login_session, which
// older CLIs do not know).
func (af *awsFiles) cliSource(name string, srcs []string) string {
	if slices.Contains(srcs, srcLogin) {
		if len(srcs) == 1 {
			return srcLogin
		}
		return ""
	}
	keysInCreds := false
	if p := af.creds.section(name); p != nil {
		_, keysInCreds = p.keys["aws_access_key_id"]
	}
	for _, s := range []string{srcSSO, "creds-keys", srcProcess, srcKeys} {
		switch {
		case s == "creds-keys":
			if keysInCreds && slices.Contains(srcs, srcKeys) {
				return srcKeys
			}
		case slices.Contains(srcs, s):
			return s
		}
	}
	return ""
}

func srcName(s string) string {
	switch s {
	case srcKeys:
		return "the keys"
	case srcSSO:
		return "SSO"
	}
	return s
}

func srcNames(srcs []string) []string {
	out := make([]string, len(srcs))
	for i, s := range srcs {
		out[i] = s
		if s == srcSSO {
			out[i] = "SSO"
		}
		if s == srcKeys {
			out[i] = "keys"
		}
	}
	return out
}
