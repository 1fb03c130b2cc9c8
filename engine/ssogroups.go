package engine

import (
	"cmp"
	"slices"
	"strings"
)

// This file groups a [Listing] for a menu: by sign-in session, then by
// account, with the account names the syncs recorded. It reads nothing
// of its own: the listing has read each file once.

// syncedInfo is what the config file's sync blocks say.
type syncedInfo struct {
	accounts map[string]string    // account id → name, from every block's account comments
	profiles map[string]ssoSynced // profile name → its block, for the profiles inside one
}

type ssoSynced struct {
	session, accountName string
}

// syncedAccounts reads the sync blocks of the config file: the account
// names their comments keep, and which profiles they hold. Blocks whose
// markers pair up count even when they were edited (their comments still
// say what the portal called the accounts); a damaged file's unpaired
// markers are skipped.
func (f *awsFile) syncedAccounts() syncedInfo {
	si := syncedInfo{accounts: map[string]string{}, profiles: map[string]ssoSynced{}}
	if f.ini == nil {
		return si
	}
	for _, b := range scanSSOBlocks(f.ini).blocks {
		for _, p := range blockProfiles(f.ini, b) {
			if _, ok := si.profiles[p.Name]; !ok {
				si.profiles[p.Name] = ssoSynced{session: b.session, accountName: p.AccountName}
			}
			if _, ok := si.accounts[p.AccountID]; !ok && p.AccountID != "" && p.AccountName != "" {
				si.accounts[p.AccountID] = p.AccountName
			}
		}
	}
	return si
}

// ssoInfo fills in what the listing says about a profile's IAM Identity
// Center settings.
func (af *awsFiles) ssoInfo(info *ProfileInfo, si syncedInfo) {
	get := func(key string) string {
		v, _ := af.value(info.Name, key)
		return sdkValue(v)
	}
	info.SSOSession, info.SSOStartURL = get("sso_session"), get("sso_start_url")
	info.AccountID, info.RoleName = get("sso_account_id"), get("sso_role_name")
	if s, ok := si.profiles[info.Name]; ok && s.session == info.SSOSession {
		info.Synced = true
		info.AccountName = s.accountName
	}
	if info.AccountName == "" && info.AccountID != "" {
		info.AccountName = si.accounts[info.AccountID]
	}
}

// ProfileGroups is a [Listing] grouped for a menu: the profiles on each
// IAM Identity Center sign-in session by account, then every other
// profile.
type ProfileGroups struct {
	// Sessions are the sso-sessions of the config file in file order,
	// each with its profiles (a session no profile names yet has no
	// accounts), then the sessions profiles name that the file lacks, and
	// the legacy profiles' start URLs, in the order the profiles name
	// them.
	Sessions []SessionGroup
	// Others are the profiles on no sign-in session, in the listing's
	// order.
	Others []ProfileInfo
}

// SessionGroup is the profiles on one sign-in session.
type SessionGroup struct {
	// Session is the sso-session's name, or for Legacy profiles their
	// sso_start_url.
	Session string
	// Legacy says the profiles set sso_start_url rather than sso_session
	// (IAM Identity Center without an [sso-session]).
	Legacy bool
	// Defined says the config file has [sso-session Session]; a sync
	// needs it.
	Defined bool
	// Accounts hold the profiles by account: named accounts by name
	// (case folded), then unnamed ones by id, then the profiles with no
	// sso_account_id under an empty ID.
	Accounts []AccountGroup
}

// AccountGroup is the profiles of one AWS account on a session.
type AccountGroup struct {
	ID   string // the account id; empty for profiles that name none
	Name string // as a sync recorded it; empty when unknown
	// Profiles are sorted by role name, then profile name.
	Profiles []ProfileInfo
}

// Label names the account for a menu: "Production (111122223333)", the
// id alone when the name is unknown, "" for no account.
func (a AccountGroup) Label() string {
	if a.Name == "" {
		return a.ID
	}
	return a.Name + " (" + a.ID + ")"
}

// Groups groups the listing's profiles by sign-in session and account.
// It allocates in proportion to the profiles and reads nothing: a menu
// rebuilds from it at will.
func (l *Listing) Groups() ProfileGroups {
	var g ProfileGroups
	index := map[[2]string]int{} // (legacy?, session) → index in g.Sessions
	key := func(legacy bool, s string) [2]string {
		if legacy {
			return [2]string{"legacy", s}
		}
		return [2]string{"", s}
	}
	session := func(legacy bool, s string, defined bool) *SessionGroup {
		k := key(legacy, s)
		if i, ok := index[k]; ok {
			return &g.Sessions[i]
		}
		index[k] = len(g.Sessions)
		g.Sessions = append(g.Sessions, SessionGroup{Session: s, Legacy: legacy, Defined: defined})
		return &g.Sessions[len(g.Sessions)-1]
	}
	for _, s := range l.SSOSessions {
		session(false, s, true)
	}
	accounts := make([]map[string]int, 0) // per session: account id → index
	for _, p := range l.Profiles {
		var sg *SessionGroup
		switch {
		case p.SSOSession != "":
			sg = session(false, p.SSOSession, false)
		case p.SSOStartURL != "":
			sg = session(true, p.SSOStartURL, false)
		default:
			g.Others = append(g.Others, p)
			continue
		}
		si := index[key(sg.Legacy, sg.Session)]
		for len(accounts) <= si {
			accounts = append(accounts, map[string]int{})
		}
		ai, ok := accounts[si][p.AccountID]
		if !ok {
			ai = len(sg.Accounts)
			accounts[si][p.AccountID] = ai
			sg.Accounts = append(sg.Accounts, AccountGroup{ID: p.AccountID})
		}
		a := &sg.Accounts[ai]
		a.Name = cmp.Or(a.Name, p.AccountName)
		a.Profiles = append(a.Profiles, p)
	}
	for i := range g.Sessions {
		as := g.Sessions[i].Accounts
		slices.SortFunc(as, compareAccounts)
		for j := range as {
			slices.SortFunc(as[j].Profiles, func(a, b ProfileInfo) int {
				return cmp.Or(cmp.Compare(a.RoleName, b.RoleName), cmp.Compare(a.Name, b.Name))
			})
		}
	}
	return g
}

// compareAccounts orders a session's accounts: named ones by name (case
// folded), then unnamed ones by id, the profiles with no account last.
func compareAccounts(a, b AccountGroup) int {
	rank := func(x AccountGroup) int {
		switch {
		case x.ID == "":
			return 2
		case x.Name == "":
			return 1
		}
		return 0
	}
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}
