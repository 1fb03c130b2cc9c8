package engine

import "strings"

// This file finds, for every profile of a listing, the profile whose
// sign-in session settings its credentials come from (ProfileInfo.
// SignInVia), from the keys the listing has read: once for all the
// profiles, so that grouping a thousand profiles by session costs one
// read of each file (review 2, M7), where loading each profile through
// the SDK parses both files again.

// signInVia fills in SignInVia, SSORegion and LoginSession of every
// profile in infos (the listing of af, in any order). The rules are the
// Go SDK's (config.SharedConfig, resolveCredsFromProfile), as
// signin.ProfileSession reads them through the SDK: a role follows its
// source_profile (a source that holds keys gives the keys; a role_arn
// with no source_profile is passed over); at the end of the chain, keys, credential_source and a web identity token sign in
// to nothing, IAM Identity Center settings come before login_session, and
// login_session is no role's source. A profile the listing refuses (Err:
// a section twice, say, which the SDK alone would merge) signs in to
// nothing, as awsxc never resolves it; its sources are read as the SDK
// reads them.
func (af *awsFiles) signInVia(infos []ProfileInfo) {
	index := make(map[string]int, len(infos))
	for i, p := range infos {
		index[p.Name] = i
	}
	get := func(name, key string) string {
		v, _ := af.value(name, key)
		return sdkValue(v)
	}
	for i := range infos {
		p := &infos[i]
		p.SSORegion, p.LoginSession = get(p.Name, "sso_region"), get(p.Name, "login_session")
	}
	defined := map[string]bool{} // the config file's sso-sessions
	if af.config.ini != nil {
		for _, n := range ssoSessionNames(af.config.ini) {
			defined[n] = true
		}
	}
	for i := range infos {
		name := infos[i].Name
		visited := map[string]bool{}
		for depth := 0; depth < maxChain; depth++ {
			j, ok := index[name]
			if !ok || (depth == 0 && infos[j].Err != nil) {
				break
			}
			role := get(name, "role_arn") != ""
			if !role && !visited[name] && (get(name, "source_profile") != "" || get(name, "credential_source") != "" ||
				get(name, "web_identity_token_file") != "") {
				break // the SDK refuses these without role_arn (validateCredentialsRequireARN)
			}
			if sess := infos[j].SSOSession; sess != "" && !defined[strings.TrimSpace(sess)] {
				break // the SDK refuses an sso_session whose section is missing, on any profile of a chain
			}
			keys := get(name, "aws_access_key_id") != "" && get(name, "aws_secret_access_key") != ""
			if depth > 0 && keys {
				break // the SDK takes a source profile's keys as they are
			}
			// One credential type at most (SharedConfig.validateCredentialType;
			// a profile met again has lost its source_profile).
			types := 0
			for _, k := range []string{"credential_source", "credential_process", "web_identity_token_file"} {
				if get(name, k) != "" {
					types++
				}
			}
			if get(name, "source_profile") != "" && !visited[name] {
				types++
			}
			if types > 1 {
				break
			}
			// A profile met again (source_profile naming itself, or a
			// cycle) is read without its role the second time, as the SDK
			// does: its own settings must then give credentials.
			if src := get(name, "source_profile"); src != "" && role && !visited[name] {
				visited[name] = true
				name = src
				continue
			}
			if keys || get(name, "credential_source") != "" || get(name, "web_identity_token_file") != "" {
				break
			}
			q := &infos[j]
			sso := q.SSOSession != "" || q.SSOStartURL != "" || q.SSORegion != "" || q.AccountID != "" || q.RoleName != ""
			if depth > 0 && !sso && get(name, "credential_process") == "" {
				// Nothing the SDK takes as a role's source
				// (SharedConfig.hasCredentials): login_session alone is not.
				break
			}
			if q.SSOSession != "" || q.SSOStartURL != "" || q.LoginSession != "" {
				infos[i].SignInVia = name
			}
			break
		}
	}
}
