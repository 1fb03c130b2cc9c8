package daemon

import (
	"errors"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/engine/settings"
)

// The kinds of a [ServerInfo].
const (
	// KindIMDS is an IMDS listener: the imds switch's, or a pinned one.
	KindIMDS = settings.KindIMDS
	// KindECS is the ECS listener (the ecs switch's address), with its
	// own token for the active profile when the switch is on, and the
	// consumers' tokens.
	KindECS = "ecs"
	// KindConsumer is a consumer of the ECS listener: a token of its
	// own that reads one profile.
	KindConsumer = settings.KindConsumer
)

// ServerSpec is a server or consumer to add ([Daemon.AddServer]): the
// settings' form of it (settings key "servers").
//
//   - Kind [KindIMDS]: an IMDS listener at Addr ("" or port 0 picks a
//     free port, saved for the next runs; a bare "PORT" is on
//     127.0.0.1; beyond loopback only with AllowRemote). Name may be
//     empty: "imds-PROFILE" (or "imds-active"), with "-2", "-3", … when
//     taken.
//   - Kind [KindConsumer]: a consumer of the ECS listener. Name is
//     required (its token file is NAME.token); Addr and AllowRemote
//     must be empty.
//
// Exactly one of Profile and FollowActive is set.
type ServerSpec = settings.Pinned

// ServerInfo is one server or consumer the daemon runs, for a menu
// ("api → dev · fetched 2 min ago by aws-sdk-go-v2 from 127.0.0.1") and
// for awsxc-cli status. It holds no secret: a consumer's token is named
// by its file, never quoted.
type ServerInfo struct {
	// Name identifies it: "imds" and "ecs" for the settings' switches,
	// else the name it was added with (see [ServerSpec]).
	Name string `json:"name"`
	// Kind is [KindIMDS], [KindECS] or [KindConsumer].
	Kind string `json:"kind"`
	// Profile is the profile it serves now: for one that follows the
	// active profile, the active one ("" when none is active).
	Profile string `json:"profile,omitempty"`
	// FollowsActive says it serves whichever profile is active.
	FollowsActive bool `json:"follows_active"`
	// Builtin marks the settings' imds and ecs switches: removing one
	// switches it off.
	Builtin bool `json:"builtin,omitempty"`
	// Addr is where it listens ("127.0.0.1:9931"; a consumer's is its
	// ECS listener's); URL its base URL for clients on this machine.
	Addr string `json:"addr,omitempty"`
	URL  string `json:"url,omitempty"`
	// Running says it serves now; Error says why not.
	Running bool   `json:"running"`
	Error   string `json:"error,omitempty"`
	// Reach says who beyond this machine can connect (see
	// [server.Reach]); empty on loopback.
	Reach string `json:"reach,omitempty"`
	// TokenFile is a consumer's token file (0600, no final newline),
	// and the ecs switch's token file when the daemon writes one.
	TokenFile string `json:"token_file,omitempty"`
	// LastFetch is the last credentials request it answered (any
	// outcome), nil when none since the daemon started.
	LastFetch *activity.Record `json:"-"`
	// Settings are what a client on this machine and a container need
	// (the tray's "Copy settings for Docker"): environment lines, docker
	// run flags. A consumer's refer to its token file. Empty when it is
	// not running.
	Settings server.Settings `json:"-"`
}

// ErrNoServer is wrapped by the errors of [Daemon.RemoveServer] and
// [Daemon.Revoke] for a name the daemon has no server or consumer of.
var ErrNoServer = errors.New("no such server or consumer")

// ErrNotConsumer is wrapped by the error of [Daemon.Revoke] for a name
// that is a server, not a consumer.
var ErrNotConsumer = errors.New("not a consumer")

// ServerList returns every server and consumer the daemon runs or is
// to run, in a stable order: the imds switch, the ecs listener (both
// only while switched on, or, for the listener, while it has
// consumers), then the pinned ones in the order they were added, each
// consumer after the listener.
func (d *Daemon) ServerList() []ServerInfo {
	return nil
}

// AddServer adds a pinned server or consumer, saves it in the settings
// and starts it, and returns it as [Daemon.ServerList] shows it. A spec
// that is not valid, or whose name or port is taken, is an error and
// changes nothing. A server that is valid but cannot start (a port in
// use) is added, and reported in ServerInfo.Error. A new consumer gets
// a new random token, written to its token file before AddServer
// returns. OnChange fires.
func (d *Daemon) AddServer(spec ServerSpec) (ServerInfo, error) {
	return ServerInfo{}, errors.New("not implemented yet")
}

// RemoveServer stops a pinned server, or revokes a consumer (its token
// stops working at once and its token file is removed), and removes it
// from the settings. For the builtin "imds" and "ecs" it switches the
// server off. The error wraps [ErrNoServer] for an unknown name.
// OnChange fires.
func (d *Daemon) RemoveServer(name string) error {
	return errors.New("not implemented yet")
}

// Revoke revokes a consumer: its token stops working at once (requests
// waiting for credentials with it are refused too), its token file is
// removed, it is removed from the settings, and the revocation is
// recorded in the activity log (a record with outcome
// [activity.Revoked] and status 0). The error wraps [ErrNoServer] for
// an unknown name, [ErrNotConsumer] for a server. OnChange fires.
func (d *Daemon) Revoke(name string) error {
	return errors.New("not implemented yet")
}

// Activity returns the credentials requests the daemon's servers
// answered, oldest first (the last [activity.DefaultSize]).
func (d *Daemon) Activity() []activity.Record {
	return nil
}

// SubscribeActivity returns a subscription to the records added from
// now on (see [activity.Subscription]; at most buf not yet read are
// held). The caller closes it; Close of the daemon closes it too.
func (d *Daemon) SubscribeActivity(buf int) *activity.Subscription {
	return nil
}
