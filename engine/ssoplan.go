package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/config"
)

// syncPlan is what a sync would make of a config file.
type syncPlan struct {
	out                     []byte          // the new content
	profiles                []SyncedProfile // the new block's, in file order
	added, removed, updated []SyncedProfile
	kept                    int
	clashes                 []NameClash
}

// checkSyncBlock finds session's block in a config file's data and says
// why it cannot be rewritten: markers that do not pair up anywhere in
// the file, or the block's own damage (see checkBlock). The block is nil
// when the file has none for session.
func checkSyncBlock(data []byte, session string) (*ssoBlock, error) {
	f := scanINI(data)
	return checkBlocks(f, session)
}

func checkBlocks(f *iniFile, session string) (*ssoBlock, error) {
	bs := scanSSOBlocks(f)
	if n := len(bs.problems); n > 0 {
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (and %d more problems with the markers)", n-1)
		}
		return nil, fmt.Errorf("%s%s; nothing was written: mend the markers, or delete the damaged block from its BEGIN line to its END line so that a sync writes it anew", bs.problems[0], more)
	}
	b := bs.find(session)
	if b == nil {
		return nil, nil
	}
	if why := checkBlock(f, *b); why != "" {
		return nil, fmt.Errorf("%s; nothing was written: move your changes out of the block (under another profile name), or delete the block from its BEGIN line to its END line so that a sync writes it anew", why)
	}
	return b, nil
}

// planSync computes the config file that a sync of session makes of
// data: roles (account id, account name and role name set, sorted by
// account id and role) become the block's profiles, in region, named by
// t. creds is the credentials file, whose profile names are taken too.
// Its errors are those of checkBlocks, about the markers.
func planSync(data, creds []byte, session string, roles []SyncedProfile, region string, t SSOTemplate) (*syncPlan, error) {
	f := scanINI(data)
	blk, err := checkBlocks(f, session)
	if err != nil {
		return nil, err
	}
	var old []SyncedProfile
	if blk != nil {
		old = blockProfiles(f, *blk)
	}
	oldNames := make(map[[2]string]string, len(old))
	for _, p := range old {
		oldNames[[2]string{p.AccountID, p.RoleName}] = p.Name
	}

	taken := takenNames(f, blk, creds)
	ps := slices.Clone(roles)
	for i := range ps {
		ps[i].Name, ps[i].Region = "", region
	}
	clashes := assignNames(ps, session, t, oldNames, taken)
	p := &syncPlan{}
	for i, wanted := range clashes {
		p.clashes = append(p.clashes, NameClash{Profile: ps[i].Name, Wanted: wanted, TakenBy: taken[wanted].where})
	}
	slices.SortFunc(p.clashes, func(a, b NameClash) int { return strings.Compare(a.Profile, b.Profile) })
	slices.SortFunc(ps, compareSynced)
	p.profiles = ps
	p.out = spliceBlock(f, blk, renderBlock(session, ps, f.eol))

	was := make(map[string]SyncedProfile, len(old))
	for _, q := range old {
		was[q.Name] = q
	}
	now := make(map[string]bool, len(ps))
	for _, q := range ps {
		now[q.Name] = true
		switch w, ok := was[q.Name]; {
		case !ok:
			p.added = append(p.added, q)
		case w != q:
			p.updated = append(p.updated, q)
		default:
			p.kept++
		}
	}
	for _, q := range old {
		if !now[q.Name] {
			p.removed = append(p.removed, q)
		}
	}
	return p, nil
}

// compareSynced orders a block's profiles: by account name (case
// folded), account id, role name, then profile name.
func compareSynced(a, b SyncedProfile) int {
	if c := strings.Compare(strings.ToLower(a.AccountName), strings.ToLower(b.AccountName)); c != 0 {
		return c
	}
	if c := strings.Compare(a.AccountName, b.AccountName); c != 0 {
		return c
	}
	if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
		return c
	}
	if c := strings.Compare(a.RoleName, b.RoleName); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}

// takenNames are the profile names a synced profile must not have: the
// config file's profiles outside block (the Go SDK's and botocore's
// reading of each header), those of the credentials file, and default.
func takenNames(f *iniFile, blk *ssoBlock, creds []byte) map[string]nameTaken {
	taken := map[string]nameTaken{DefaultProfile: {where: "the default profile"}}
	inBlock := func(li int) bool { return blk != nil && li > blk.begin && li < blk.end }
	others := scanSSOBlocks(f).blocks
	for _, s := range f.sections {
		if inBlock(s.header) {
			continue
		}
		where := fmt.Sprintf("config file line %d", s.header+1)
		for _, o := range others {
			if s.header > o.begin && s.header < o.end {
				where = fmt.Sprintf("the block of sso-session %q (config file line %d)", o.session, s.header+1)
			}
		}
		for _, n := range sectionProfileNames(s.name, true) {
			if _, ok := taken[n]; !ok {
				taken[n] = nameTaken{where: where}
			}
		}
	}
	cf := scanINI(creds)
	for _, s := range cf.sections {
		for _, n := range sectionProfileNames(s.name, false) {
			if _, ok := taken[n]; !ok {
				taken[n] = nameTaken{where: fmt.Sprintf("credentials file line %d", s.header+1)}
			}
		}
	}
	// Lines the Go SDK alone reads as headers ("  [profile x]" inside a
	// value, which configparser continues): it would merge such a section
	// into a synced profile of the same name.
	goHeaders := func(f *iniFile, configFile bool, what string, skip func(int) bool) {
		for i, l := range f.lines {
			if l.kind == iniHeader || skip(i) {
				continue
			}
			if name, ok := goSection(f.text(i)); ok {
				if n, ok := profileOfSection(name, configFile); ok {
					if _, ok := taken[n]; !ok {
						taken[n] = nameTaken{where: fmt.Sprintf("%s line %d, which the Go SDK reads as a header", what, i+1)}
					}
				}
			}
		}
	}
	goHeaders(f, true, "config file", func(i int) bool { return blk != nil && i >= blk.begin && i <= blk.end })
	goHeaders(cf, false, "credentials file", func(int) bool { return false })
	return taken
}

// sectionProfileNames names the profile a header holds for the Go SDK
// (trimmed) and for botocore ("profile" and white space, then the rest
// as written), when they read one.
func sectionProfileNames(section string, configFile bool) []string {
	var out []string
	if n, ok := profileOfSection(section, configFile); ok {
		out = append(out, n)
	}
	if !configFile {
		if section != "" && !slices.Contains(out, section) {
			out = append(out, section)
		}
		return out
	}
	if rest, ok := strings.CutPrefix(section, "profile"); ok && rest != "" && pySpace(rune(rest[0])) {
		if n := strings.TrimLeftFunc(rest, pySpace); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// wholeReads is how many of the profiles added or updated the Go SDK
// reads back from the whole new file, besides the block's first and last.
const wholeReads = 8

// syncReadBack has the Go SDK read the new config file data back before
// it is written, through temporary files in dir that are removed at once,
// with no credentials file:
//   - from the whole of data: the block's first and last profiles and the
//     first few added or updated ones (wholeReads), which shows that the
//     SDK reads the block where it stands in the file;
//   - every profile added or updated, from a file that holds the
//     sso-session's section and the profile's own lines as data has them.
//
// Each read of the whole file parses all of it, so reading every profile
// from it would cost a parse of the file per profile: seconds for a
// thousand roles. What the rest of the file could change, it cannot: the
// block's lines all start in column 0 (nothing before them continues
// into them, for the SDK as for configparser), and the names are free of
// every header the SDK sees elsewhere (takenNames), so no other section
// merges into them. The kept profiles were read back when they were
// written. It says which profile the SDK reads otherwise than written.
func syncReadBack(dir string, data []byte, session string, p *syncPlan) error {
	var whole []SyncedProfile
	add := func(q SyncedProfile) {
		if !slices.Contains(whole, q) {
			whole = append(whole, q)
		}
	}
	if n := len(p.profiles); n > 0 {
		add(p.profiles[0])
		add(p.profiles[n-1])
	}
	changed := slices.Concat(p.added, p.updated)
	for _, q := range changed[:min(len(changed), wholeReads)] {
		add(q)
	}
	fail := func(q SyncedProfile, why string) error {
		return fmt.Errorf("it reads profile %q %s%s; the file is unchanged", q.Name, why, syncMisreadCause(data))
	}
	tmp, err := writeTemp(dir, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if q, why := readBackAll(tmp, session, whole); why != "" {
		return fail(q, why)
	}
	if len(changed) == 0 {
		return nil
	}

	// Each profile from its own lines, next to the session's section.
	f := scanINI(data)
	var sessionLines []byte
	sections := map[string][]byte{}
	blk := scanSSOBlocks(f).find(session)
	for _, sec := range f.sections {
		inBlock := blk != nil && sec.header > blk.begin && sec.header < blk.end
		name, isProfile := profileOfSection(sec.name, true)
		isSession := false
		if rest, ok := strings.CutPrefix(strings.TrimFunc(sec.name, pySpace), "sso-session"); ok && rest != "" && pySpace(rune(rest[0])) {
			isSession = strings.TrimFunc(rest, pySpace) == session
		}
		if !(inBlock && isProfile) && !isSession {
			continue
		}
		end := sec.end
		if inBlock {
			end = min(end, blk.end)
		}
		var b []byte
		for i := sec.header; i < end; i++ {
			if k := f.lines[i].kind; k == iniHeader || k == iniOption || k == iniContinuation {
				b = append(append(b, f.text(i)...), '\n')
			}
		}
		if isSession {
			sessionLines = append(sessionLines, b...)
		} else {
			sections[name] = b
		}
	}
	for _, q := range changed {
		one, err := writeTemp(dir, append(slices.Clone(sessionLines), sections[q.Name]...))
		if err != nil {
			return err
		}
		_, why := readBackAll(one, session, []SyncedProfile{q})
		os.Remove(one)
		if why != "" {
			return fail(q, why)
		}
	}
	return nil
}

// writeTemp writes data to a new file in dir and returns its path.
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "verify-*.tmp")
	if err != nil {
		return "", fmt.Errorf("verify: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("verify: %w", err)
	}
	return f.Name(), nil
}

// readBackAll has the Go SDK read each profile of ps from the config file
// at path, spread over the CPUs, and returns the first it reads otherwise
// than written, with how.
func readBackAll(path, session string, ps []SyncedProfile) (SyncedProfile, string) {
	files := func(o *config.LoadSharedConfigOptions) {
		o.ConfigFiles = []string{path}
		o.CredentialsFiles = []string{}
	}
	var mu sync.Mutex
	var bad SyncedProfile
	var why string
	jobs := make(chan SyncedProfile)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(ps), 8)) {
		wg.Go(func() {
			for q := range jobs {
				if w := readBackProfile(q, session, files, path); w != "" {
					mu.Lock()
					if why == "" {
						bad, why = q, w
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, q := range ps {
		jobs <- q
	}
	close(jobs)
	wg.Wait()
	return bad, why
}

// syncMisreadCause names a known reason why the Go SDK misreads data, or
// returns "".
func syncMisreadCause(data []byte) string {
	f := scanINI(data)
	if f.bom > 0 {
		return " (the byte order mark at the start of the file hides its first line from the Go SDK, and botocore reads no file that has one: remove it)"
	}
	for _, l := range f.lines {
		if l.next == l.end+1 && f.data[l.end] == '\r' {
			return " (the Go SDK does not take a lone carriage return for a line break)"
		}
	}
	return ""
}

func readBackProfile(p SyncedProfile, session string, files func(*config.LoadSharedConfigOptions), tmp string) string {
	sc, err := config.LoadSharedConfigProfile(context.Background(), p.Name, files)
	var notFound config.SharedConfigProfileNotExistError
	switch {
	case errors.As(err, &notFound):
		return "as missing"
	case err != nil:
		return "with an error: " + strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), tmp, "the file")), " ")
	case sc.SSOSessionName != session || sc.SSOSession == nil:
		return fmt.Sprintf("with sso_session %q", sc.SSOSessionName)
	case sc.SSOAccountID != p.AccountID:
		return fmt.Sprintf("with sso_account_id %q", sc.SSOAccountID)
	case sc.SSORoleName != p.RoleName:
		return fmt.Sprintf("with sso_role_name %q", sc.SSORoleName)
	case sc.Region != p.Region:
		return fmt.Sprintf("with region %q", sc.Region)
	case sc.Credentials.HasKeys() || sc.RoleARN != "" || sc.CredentialProcess != "" || sc.SSOStartURL != "":
		return "with settings of its own beyond those written"
	}
	return ""
}
