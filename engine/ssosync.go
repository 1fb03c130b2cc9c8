package engine

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/awsxc/awsxc/internal/fsutil"
	"github.com/awsxc/awsxc/internal/udiff"
)

// More sentinels, for [SyncSSO] (with [ErrSSOLoginRequired],
// [ErrInvalidConfig], [ErrResolve], [ErrSyncBlock], [ErrSSOTemplate] and
// [ErrNotReadBack]).
var (
	// ErrAccessDenied: the service refused the call (IAM Identity
	// Center's ForbiddenException or AccessDeniedException).
	ErrAccessDenied = errors.New("access denied")
	// ErrUnreachable: the service could not be reached (no network, a
	// proxy or endpoint setting that leads nowhere, a TLS failure).
	ErrUnreachable = errors.New("service unreachable")
	// ErrSSOSessionChoice: no sso-session was named and the config file
	// has none, or more than one ([SyncError.Sessions] lists them).
	ErrSSOSessionChoice = errors.New("name the sso-session to sync")
	// ErrNotWritten: the config file could not be locked or replaced.
	ErrNotWritten = errors.New("config file not written")
)

// SyncError is a failure of [SyncSSO]: one line, naming the sso-session,
// never holding a token.
type SyncError struct {
	Session string // the sso-session concerned; empty when none was chosen
	Kind    error  // one of the Err* sentinels
	Err     error  // the cause, may be nil
	// Action is what the user can do about it, for a front end to word
	// for its own controls: ActionSSOLogin when the session must be
	// signed in (again), else ActionNone.
	Action Action
	// Hint is the neutral wording of what to do; may be empty.
	Hint string
	// Sessions are the config file's sso-sessions, for
	// ErrSSOSessionChoice.
	Sessions []string
}

func (e *SyncError) Error() string {
	var b strings.Builder
	if e.Session != "" {
		b.WriteString("sso-session ")
		b.WriteString(quote(e.Session))
		b.WriteString(": ")
	}
	switch {
	case e.Err == nil:
		b.WriteString(e.Kind.Error())
	case errors.Is(e.Err, e.Kind):
		// The cause says the kind itself (ParseSSOTemplate's errors).
		b.WriteString(oneLine(e.Err.Error()))
	default:
		b.WriteString(e.Kind.Error())
		b.WriteString(": ")
		b.WriteString(oneLine(e.Err.Error()))
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause.
func (e *SyncError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// SSOLoginHint is the neutral hint for a session that must be signed in
// again.
func SSOLoginHint(session string) string {
	return "run aws sso login --sso-session " + session
}

// SSOSyncOptions says what [SyncSSO] lists and writes.
type SSOSyncOptions struct {
	// Env holds the config file written, the credentials file (whose
	// profile names are taken too), the home folder (under which the SSO
	// token cache lives) and the cache folder (for a normalised copy of
	// an old-format token cache). The token's expiry is the SDK token
	// provider's decision, on the system clock.
	Env Env
	// Session names the [sso-session NAME] to sync; empty picks the
	// config file's only one.
	Session string
	// Template makes the profile names ([ParseSSOTemplate]); empty is
	// [DefaultSSOTemplate].
	Template string
	// Region is the region the profiles get; empty is the session's
	// sso_region.
	Region string
	// DryRun computes everything, the diff included, and writes nothing.
	DryRun bool
	// LockDir is the folder for the config file's lock and the read-back
	// check's temporary file, as for [WriteOptions.LockDir]: one per-user
	// folder for every writer, not ~/.aws. Required.
	LockDir string
	// Profile names the profile whose settings (its services section)
	// give the portal and OIDC clients their endpoints, as the AWS CLI's
	// current profile does; empty leaves it to the SDK (AWS_PROFILE, else
	// default). AWS_ENDPOINT_URL_SSO and _SSO_OIDC, which the SDK reads
	// itself, apply either way.
	Profile string
	// Concurrency is how many ListAccountRoles calls run at once; 0 is 4.
	Concurrency int
	// MaxAttempts is how often a portal call is tried before its error
	// counts: at least this, or what the config sets when that is more;
	// 0 is 8. The SDK's retryer retries TooManyRequestsException (and
	// 5xx and network errors) with its exponential backoff.
	MaxAttempts int
	// Logger receives debug records; nil discards them. Tokens are never
	// logged.
	Logger *slog.Logger
}

// SSOSyncResult is what a [SyncSSO] found and did.
type SSOSyncResult struct {
	Session    string // the sso-session synced
	ConfigFile string // the config file (symlinks resolved)
	Region     string // the region the profiles got
	// Profiles are the block's profiles after the sync, in file order.
	Profiles []SyncedProfile
	// Added, Removed and Updated compare the block's profiles by name
	// with what it held before: new names, names gone, and names whose
	// account, role, region or account name changed. Kept is how many
	// are as they were.
	Added, Removed, Updated []SyncedProfile
	Kept                    int
	// Clashes are the profiles whose name from the template was taken by
	// a profile outside the block (one the user wrote, or another
	// session's): they got a "-N" suffix instead, and the other profile
	// was left alone.
	Clashes []NameClash
	// Skipped are the roles the portal listed that cannot be written as
	// profiles (an account id that is not 12 digits, a role name with
	// white space or comment characters).
	Skipped []SkippedRole
	// Changed says the config file's content differs from what it was;
	// Written that it was replaced (never with DryRun).
	Changed, Written bool
	// Diff is the unified diff of the config file, old to new; empty when
	// nothing changes.
	Diff string
	// Calls counts the portal calls made.
	Calls SyncCalls
}

// NameClash is a profile whose name had to differ from the template's.
type NameClash struct {
	Profile string // the name it got
	Wanted  string // the template's name, which another profile has
	TakenBy string // where that profile is: "config file line 12", "credentials file line 3", ...
}

// SkippedRole is a role the portal listed that a sync cannot write.
type SkippedRole struct {
	AccountID, AccountName, RoleName string
	Why                              string
}

// SyncCalls counts the IAM Identity Center calls of a sync.
type SyncCalls struct {
	ListAccounts     int // pages of ListAccounts received
	ListAccountRoles int // pages of ListAccountRoles received
	Retries          int // attempts beyond the first, over every call (throttling, 5xx)
}

// SyncSSO writes one profile for every account and role the signed-in
// sso-session can use into the config file: sso_session, sso_account_id,
// sso_role_name and region, named by the template, between two marker
// comments that name the session (see ssoblock.go for the format). A
// later sync of the same session replaces only the lines between its own
// markers: profiles of new roles are added, those of roles gone are
// removed. Every byte outside them stays as it was; a first sync appends
// its block at the end of the file.
//
// The session's token comes from the SSO token cache the AWS CLI writes
// (~/.aws/sso/cache under Env.Home, as aws sso login or awsxc's sign-in
// leave it), through the Go SDK's own token provider, which refreshes an
// expired token with its refresh token. The accounts and roles come from
// the portal's ListAccounts and ListAccountRoles, every page, with the
// SDK's retryer (throttling included) and o.MaxAttempts.
//
// Profile names are made safe ([SanitizeProfileName]) and unique: a name
// that a profile outside the block already has (in the config or the
// credentials file, in another session's block, or "default") is never
// taken over; the synced profile gets the first free "-2", "-3"... and
// the result lists it in Clashes. A profile keeps the name an earlier sync
// gave it while that is still its template name, suffixed or not.
//
// Before the file is replaced the Go SDK reads the new content back:
// the block's first and last profiles from the whole file, and every
// profile added or changed (ErrNotReadBack if one differs from what was
// written; see syncReadBack). The
// read-modify-write runs under the lock in o.LockDir; the file is replaced
// atomically, keeping its owner, group and mode (internal/fsutil). When
// the block would not change, nothing is written.
//
// Errors are [*SyncError] values: [ErrSSOLoginRequired] (no token, an
// expired one that cannot be refreshed, or one the portal refuses; Action
// [ActionSSOLogin]), [ErrAccessDenied], [ErrUnreachable], [ErrResolve]
// (throttled beyond the retries, another service error),
// [ErrInvalidConfig] (no such sso-session, no sso_region, a name or
// region that cannot be written), [ErrSSOSessionChoice], [ErrSSOTemplate],
// [ErrSyncBlock] (markers damaged or the block edited by hand: checked
// before any call and again under the lock), [ErrNotReadBack] and
// [ErrNotWritten]. On error the file is unchanged.
func SyncSSO(ctx context.Context, o SSOSyncOptions) (*SSOSyncResult, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tmpl, err := ParseSSOTemplate(cmp.Or(o.Template, DefaultSSOTemplate))
	if err != nil {
		return nil, &SyncError{Session: o.Session, Kind: ErrSSOTemplate, Err: err}
	}
	if o.LockDir == "" {
		return nil, &SyncError{Session: o.Session, Kind: ErrInvalidConfig, Err: errors.New("no folder for the lock file")}
	}
	path := o.Env.ConfigFile
	if path == "" {
		return nil, &SyncError{Session: o.Session, Kind: ErrInvalidConfig, Err: errors.New("no config file (the home folder is unknown)")}
	}
	if real, err := fsutil.RealPath(path); err == nil {
		path = real
	}
	// Both files as the listing reads them: checked (a FIFO would hang
	// the SDK) before the SDK is given them.
	af, err := readAWSFiles(o.Env)
	if err != nil {
		return nil, &SyncError{Session: o.Session, Kind: ErrInvalidConfig, Err: err}
	}
	if af.config.ini == nil {
		return nil, &SyncError{Session: o.Session, Kind: ErrInvalidConfig, Err: fmt.Errorf("config file %s does not exist or is not a file", path)}
	}
	data := af.config.ini.data
	session, err := chooseSSOSession(data, o.Session)
	if err != nil {
		return nil, err
	}
	fail := func(kind, err error) (*SSOSyncResult, error) {
		return nil, &SyncError{Session: session, Kind: kind, Err: err}
	}
	sc, err := LoadSSOSession(o.Env, session)
	if err != nil {
		return fail(ErrInvalidConfig, err)
	}
	switch {
	case sc.Region == "":
		return fail(ErrInvalidConfig, fmt.Errorf("[sso-session %s] has no sso_region", session))
	case !validSSOValue(session):
		return fail(ErrInvalidConfig, fmt.Errorf("the name cannot be written as a profile's sso_session (it has white space, brackets, '#' or ';')"))
	}
	region := cmp.Or(o.Region, sc.Region)
	if !validRegion(region) {
		return fail(ErrInvalidConfig, fmt.Errorf("region %q is not a region name", region))
	}
	// Refuse a damaged block before anything is fetched.
	if _, err := checkSyncBlock(data, session); err != nil {
		return fail(ErrSyncBlock, err)
	}
	if o.Env.Home == "" {
		return fail(ErrSSOLoginRequired, errors.New("the home folder, where the token cache lives, is unknown"))
	}

	cfg, err := ssoClientConfig(ctx, af, o.Profile, sc.Region)
	if err != nil {
		return fail(ErrInvalidConfig, err)
	}
	tokenPath := ssoTokenPath(o.Env.Home, session)
	log.Debug("sso sync", "session", session, "sso_region", sc.Region, "region", region, "token_cache", tokenPath)
	// A cache an early AWS CLI v2 wrote (times ending in UTC) is read
	// through a normalised copy, as resolving a profile does (ssocache.go).
	if p, ok := normalisedSSOCache(o.Env, tokenPath, log); ok {
		tokenPath = p
	}
	tok, err := ssocreds.NewSSOTokenProvider(ssooidc.NewFromConfig(cfg), tokenPath).RetrieveBearerToken(ctx)
	if err != nil {
		return nil, tokenFailure(session, err)
	}
	maxAttempts := cmp.Or(o.MaxAttempts, 8)
	client := sso.NewFromConfig(cfg, func(so *sso.Options) {
		if so.Retryer == nil {
			so.Retryer = retry.NewStandard()
		}
		if so.Retryer.MaxAttempts() < maxAttempts {
			so.Retryer = retry.AddWithMaxAttempts(so.Retryer, maxAttempts)
		}
	})
	roles, skipped, calls, err := listSSORoles(ctx, client, tok.Value, cmp.Or(o.Concurrency, 4))
	log.Debug("sso sync listed", "session", session, "roles", len(roles), "skipped", len(skipped),
		"list_accounts_pages", calls.ListAccounts, "list_account_roles_pages", calls.ListAccountRoles, "retries", calls.Retries)
	if err != nil {
		return nil, portalFailure(session, err)
	}

	res := &SSOSyncResult{Session: session, ConfigFile: path, Region: region, Skipped: skipped, Calls: calls}
	if err := writeSync(o, res, roles, tmpl); err != nil {
		return nil, err
	}
	return res, nil
}

// writeSync plans the new block from the config file as it is under the
// lock, checks it with the Go SDK and writes it (unless o.DryRun).
func writeSync(o SSOSyncOptions, res *SSOSyncResult, roles []SyncedProfile, tmpl SSOTemplate) error {
	fail := func(kind, err error) error { return &SyncError{Session: res.Session, Kind: kind, Err: err} }
	if o.DryRun {
		// The read-back check's file goes there too.
		if err := os.MkdirAll(o.LockDir, 0o700); err != nil {
			return fail(ErrInvalidConfig, err)
		}
	} else {
		lock, err := fsutil.Lock(filepath.Join(o.LockDir, configLockName(res.ConfigFile)))
		if err != nil {
			return fail(ErrNotWritten, err)
		}
		defer lock.Unlock()
	}
	data, err := readConfigForSync(res.ConfigFile)
	if err != nil {
		return fail(ErrInvalidConfig, err)
	}
	// The credentials file's profile names are taken too; it is read as
	// the listing reads it (a folder or /dev/null is empty).
	var creds []byte
	var ignored []FileWarning
	cf, err := readAWSFile(o.Env.CredentialsFile, false, &ignored)
	if err != nil {
		return fail(ErrInvalidConfig, err)
	}
	if cf.ini != nil {
		creds = cf.ini.data
	}
	plan, err := planSync(data, creds, res.Session, roles, res.Region, tmpl)
	if err != nil {
		return fail(ErrSyncBlock, err)
	}
	res.Profiles, res.Added, res.Removed, res.Updated, res.Kept, res.Clashes =
		plan.profiles, plan.added, plan.removed, plan.updated, plan.kept, plan.clashes
	res.Changed = !bytes.Equal(plan.out, data)
	if !res.Changed {
		return nil
	}
	res.Diff = udiff.Unified("a/"+filepath.Base(res.ConfigFile), "b/"+filepath.Base(res.ConfigFile), data, plan.out)
	if err := syncReadBack(o.LockDir, plan.out, res.Session, plan); err != nil {
		return fail(ErrNotReadBack, err)
	}
	if o.DryRun {
		return nil
	}
	if err := fsutil.WriteFileAtomic(res.ConfigFile, plan.out, 0o600); err != nil {
		return fail(ErrNotWritten, err)
	}
	res.Written = true
	return nil
}

// readConfigForSync reads the config file as the writer may: a regular
// file of at most [MaxAWSFileSize].
func readConfigForSync(path string) ([]byte, error) {
	data, err := fsutil.ReadRegular(path, MaxAWSFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("config file %s does not exist", path)
	}
	return data, err
}

// configLockName is the config file lock's name for the file at
// realPath, as [credentialsLockName] names the credentials file's.
func configLockName(realPath string) string {
	sum := sha256.Sum256([]byte(realPath))
	return "config-" + hex.EncodeToString(sum[:16]) + ".lock"
}

// ssoTokenPath is the SSO token cache file of an sso-session: sha1 of
// its name under ~/.aws/sso/cache, as the AWS CLI and every SDK name it.
func ssoTokenPath(home, session string) string {
	sum := sha1.Sum([]byte(session))
	return filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
}

// validRegion reports whether r looks like a region name.
func validRegion(r string) bool {
	if r == "" || r[0] == '-' || r[len(r)-1] == '-' {
		return false
	}
	for _, c := range []byte(r) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ssoSessionNames names the sso-sessions of f as [LoadSSOSession] finds
// them.
func ssoSessionNames(f *iniFile) []string {
	var names []string
	for _, s := range f.sections {
		n := strings.TrimFunc(s.name, pySpace)
		rest, ok := strings.CutPrefix(n, "sso-session")
		if !ok || rest == "" || !pySpace(rune(rest[0])) {
			continue
		}
		if name := strings.TrimFunc(rest, pySpace); name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// chooseSSOSession returns the session to sync: the one named, else the
// config's only one.
func chooseSSOSession(data []byte, named string) (string, error) {
	if named != "" {
		return named, nil
	}
	names := ssoSessionNames(scanINI(data))
	switch len(names) {
	case 1:
		return names[0], nil
	case 0:
		return "", &SyncError{Kind: ErrSSOSessionChoice, Err: errors.New("the config file has no [sso-session NAME] section")}
	}
	return "", &SyncError{Kind: ErrSSOSessionChoice, Sessions: names,
		Err: fmt.Errorf("the config file has %d: %s", len(names), strings.Join(names, ", "))}
}

// ssoClientConfig loads the SDK's config for the OIDC and portal clients:
// env's files, the endpoint profile, anonymous credentials (the portal
// takes the bearer token, the OIDC refresh needs none) and the sso_region.
func ssoClientConfig(ctx context.Context, af *awsFiles, profile, ssoRegion string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles(af.config.list()),
		config.WithSharedCredentialsFiles(af.creds.list()),
		config.WithCredentialsProvider(aws.AnonymousCredentials{}),
		config.WithRegion(ssoRegion),
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// tokenFailure words a failure to get the session's token.
func tokenFailure(session string, err error) error {
	e := &SyncError{Session: session, Kind: ErrSSOLoginRequired, Action: ActionSSOLogin, Hint: SSOLoginHint(session)}
	var send *smithyhttp.RequestSendError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &SyncError{Session: session, Kind: ErrResolve, Err: err}
	case errors.As(err, &send):
		return &SyncError{Session: session, Kind: ErrUnreachable, Err: errors.New("the token has expired and the OIDC service, which would refresh it, cannot be reached: " + send.Err.Error())}
	case errors.Is(err, fs.ErrNotExist):
		e.Err = errors.New("not signed in: no token in the SSO token cache")
	case strings.Contains(err.Error(), "cannot be refreshed"):
		e.Err = errors.New("the token has expired and cannot be refreshed")
	default:
		var api smithy.APIError
		if errors.As(err, &api) {
			e.Err = fmt.Errorf("the token has expired and its refresh was refused: %s", api.ErrorCode())
		} else {
			e.Err = fmt.Errorf("the token cannot be read: %w", err)
		}
	}
	return e
}

// portalFailure words a failure of the portal's list calls.
func portalFailure(session string, err error) error {
	var api smithy.APIError
	var send *smithyhttp.RequestSendError
	var quota *retry.MaxAttemptsError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &SyncError{Session: session, Kind: ErrResolve, Err: err}
	case errors.As(err, &api) && api.ErrorCode() == "UnauthorizedException":
		return &SyncError{Session: session, Kind: ErrSSOLoginRequired, Action: ActionSSOLogin, Hint: SSOLoginHint(session),
			Err: errors.New("the portal refuses the token (" + api.ErrorMessage() + ")")}
	case errors.As(err, &api) && (api.ErrorCode() == "ForbiddenException" || api.ErrorCode() == "AccessDeniedException"):
		return &SyncError{Session: session, Kind: ErrAccessDenied, Err: fmt.Errorf("the portal refuses to list the accounts: %s: %s", api.ErrorCode(), api.ErrorMessage())}
	case errors.As(err, &api) && api.ErrorCode() == "TooManyRequestsException":
		n := ""
		if errors.As(err, &quota) {
			n = " " + strconv.Itoa(quota.Attempt) + " times"
		}
		return &SyncError{Session: session, Kind: ErrResolve, Err: fmt.Errorf("the portal kept throttling the calls (TooManyRequestsException%s); try again later", n)}
	case errors.As(err, &send):
		return &SyncError{Session: session, Kind: ErrUnreachable, Err: fmt.Errorf("the IAM Identity Center portal: %w", send.Err)}
	case errors.As(err, &api):
		return &SyncError{Session: session, Kind: ErrResolve, Err: fmt.Errorf("the portal: %s: %s", api.ErrorCode(), api.ErrorMessage())}
	}
	return &SyncError{Session: session, Kind: ErrResolve, Err: err}
}

// listSSORoles lists every account and role the token can use, every
// page, with up to workers ListAccountRoles calls at once. Roles that
// cannot be written are returned apart. The result is sorted by account
// id and role name, each pair once.
func listSSORoles(ctx context.Context, client *sso.Client, token string, workers int) ([]SyncedProfile, []SkippedRole, SyncCalls, error) {
	var calls SyncCalls
	var mu sync.Mutex // protects calls and firstErr while the workers run

	type account struct{ id, name string }
	var accounts []account
	pages := sso.NewListAccountsPaginator(client, &sso.ListAccountsInput{AccessToken: aws.String(token)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, nil, calls, err
		}
		calls.ListAccounts++
		calls.Retries += retries(out.ResultMetadata)
		for _, a := range out.AccountList {
			accounts = append(accounts, account{aws.ToString(a.AccountId), aws.ToString(a.AccountName)})
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([][]string, len(accounts))
	var firstErr error
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for i := range jobs {
				var roles []string
				p := sso.NewListAccountRolesPaginator(client, &sso.ListAccountRolesInput{AccessToken: aws.String(token), AccountId: aws.String(accounts[i].id)})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					mu.Lock()
					if err != nil {
						if firstErr == nil {
							firstErr = err
							cancel()
						}
						mu.Unlock()
						break
					}
					calls.ListAccountRoles++
					calls.Retries += retries(out.ResultMetadata)
					mu.Unlock()
					for _, r := range out.RoleList {
						roles = append(roles, aws.ToString(r.RoleName))
					}
				}
				results[i] = roles
			}
		})
	}
feed:
	for i := range accounts {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, nil, calls, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, calls, err
	}

	var out []SyncedProfile
	var skipped []SkippedRole
	seen := map[[2]string]bool{}
	for i, a := range accounts {
		for _, r := range results[i] {
			k := [2]string{a.id, r}
			if seen[k] {
				continue
			}
			seen[k] = true
			switch {
			case !validAccountID(a.id):
				skipped = append(skipped, SkippedRole{AccountID: a.id, AccountName: a.name, RoleName: r, Why: "the account id is not 12 digits"})
			case !validSSOValue(r):
				skipped = append(skipped, SkippedRole{AccountID: a.id, AccountName: a.name, RoleName: r, Why: "the role name has white space, brackets, '#' or ';'"})
			default:
				out = append(out, SyncedProfile{AccountID: a.id, AccountName: a.name, RoleName: r})
			}
		}
	}
	slices.SortFunc(out, func(a, b SyncedProfile) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.RoleName, b.RoleName))
	})
	return out, skipped, calls, nil
}

// retries counts a call's attempts beyond the first.
func retries(md middleware.Metadata) int {
	if r, ok := retry.GetAttemptResults(md); ok && len(r.Results) > 1 {
		return len(r.Results) - 1
	}
	return 0
}
