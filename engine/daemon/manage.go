package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/server"
)

// The local API's endpoints for the servers and the activity log (see
// the package documentation).
const (
	// PathServers lists the servers and consumers (GET, a
	// [ServersResponse]) and adds one (POST a [ServerSpec], answered with
	// a [ServerResponse]).
	PathServers = "/v1/servers"
	// PathRemove removes a server or consumer (POST a [NameRequest]).
	PathRemove = "/v1/servers/remove"
	// PathRevoke revokes a consumer (POST a [NameRequest]).
	PathRevoke = "/v1/servers/revoke"
	// PathActivity answers the recent activity records as JSON lines
	// (GET; ?follow=1 keeps the answer open and adds each new record as
	// it happens).
	PathActivity = "/v1/activity"

	// CodeNotFound: no server or consumer of that name. HTTP 404.
	CodeNotFound = "not-found"
	// CodeInvalid: a server or consumer that cannot be added, or a
	// revocation of a server. HTTP 422.
	CodeInvalid = "invalid"
	// CodeNotSaved: the settings file could not be saved (it has an
	// error the user must fix, or could not be written); the message
	// says why. For an add ([PathServers]) nothing was added; for a
	// removal or revocation the change was made and holds until the
	// daemon stops (or is saved once the file is fixed), and the
	// message says so. HTTP 409.
	CodeNotSaved = "not-saved"

	// maxActivityLine bounds one line of the activity stream a client
	// reads (a record is a few hundred bytes).
	maxActivityLine = 8 << 10
)

// ServerWire is a [ServerInfo] on the wire: the last fetch as an
// activity record's JSON object, the client settings as their parts.
type ServerWire struct {
	ServerInfo
	LastFetch json.RawMessage `json:"last_fetch,omitempty"`
	Settings  *SettingsWire   `json:"settings,omitempty"`
}

// SettingsWire is [server.Settings] on the wire.
type SettingsWire struct {
	Env     []string `json:"env,omitempty"`
	Docker  []string `json:"docker,omitempty"`
	Network string   `json:"network,omitempty"`
	Mounts  []string `json:"mounts,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// ServersResponse answers GET [PathServers].
type ServersResponse struct {
	Servers []ServerWire `json:"servers"`
}

// ServerResponse answers POST [PathServers]: the server added. Warning
// is for what went wrong after it was added; this daemon sends none (a
// server the settings cannot be saved with is not added: [CodeNotSaved]).
type ServerResponse struct {
	Server  ServerWire `json:"server"`
	Warning string     `json:"warning,omitempty"`
}

// NameRequest names a server or consumer, for [PathRemove] and
// [PathRevoke].
type NameRequest struct {
	Name string `json:"name"`
}

// wireServer is info's wire form.
func wireServer(info ServerInfo) ServerWire {
	w := ServerWire{ServerInfo: info}
	if info.LastFetch != nil {
		w.LastFetch = info.LastFetch.AppendJSON(nil)
	}
	if s := info.Settings; len(s.Env) > 0 || len(s.Docker) > 0 || s.Note != "" {
		w.Settings = &SettingsWire{Env: s.Env, Docker: s.Docker, Network: s.Network, Mounts: s.Mounts, Note: s.Note}
	}
	return w
}

// Info returns the [ServerInfo] w carries.
func (w ServerWire) Info() (ServerInfo, error) {
	info := w.ServerInfo
	if len(w.LastFetch) > 0 {
		r, err := activity.ParseJSON(w.LastFetch)
		if err != nil {
			return info, fmt.Errorf("server %q: last fetch: %w", info.Name, err)
		}
		info.LastFetch = &r
	}
	if s := w.Settings; s != nil {
		info.Settings = server.Settings{Env: s.Env, Docker: s.Docker, Network: s.Network, Mounts: s.Mounts, Note: s.Note}
	}
	return info, nil
}

func (d *Daemon) serveServers(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		list := d.ServerList()
		resp := ServersResponse{Servers: make([]ServerWire, 0, len(list))}
		for _, i := range list {
			resp.Servers = append(resp.Servers, wireServer(i))
		}
		writeJSON(w, http.StatusOK, resp)
		return
	}
	var spec ServerSpec
	if !decodeBody(w, r, &spec) {
		return
	}
	info, err := d.AddServer(spec)
	switch {
	case errors.Is(err, ErrNotSaved):
		d.log.Debug("local API: server not added", "err", err)
		writeError(w, http.StatusConflict, APIError{Code: CodeNotSaved, Message: oneLine(err.Error())})
	case err != nil:
		d.log.Debug("local API: server not added", "err", err)
		// A profile that cannot be resolved keeps its kind, action and
		// hint, as on PathCredentials: its client words it as its own
		// (review 3, L2).
		var e *engine.Error
		if errors.As(err, &e) {
			writeError(w, http.StatusUnprocessableEntity, apiError(e))
			return
		}
		writeError(w, http.StatusUnprocessableEntity, APIError{Code: CodeInvalid, Message: oneLine(err.Error())})
	default:
		d.log.Debug("local API: server added", "name", info.Name, "kind", info.Kind)
		writeJSON(w, http.StatusOK, ServerResponse{Server: wireServer(info)})
	}
}

func (d *Daemon) serveRemove(w http.ResponseWriter, r *http.Request) {
	d.serveName(w, r, d.RemoveServer)
}

func (d *Daemon) serveRevoke(w http.ResponseWriter, r *http.Request) {
	d.serveName(w, r, d.Revoke)
}

func (d *Daemon) serveName(w http.ResponseWriter, r *http.Request, do func(string) error) {
	var req NameRequest
	if !decodeBody(w, r, &req) {
		return
	}
	err := do(req.Name)
	switch {
	case errors.Is(err, ErrNoServer):
		writeError(w, http.StatusNotFound, APIError{Code: CodeNotFound, Message: oneLine(err.Error())})
	case errors.Is(err, ErrNotConsumer):
		writeError(w, http.StatusUnprocessableEntity, APIError{Code: CodeInvalid, Message: oneLine(err.Error())})
	case err != nil:
		// Made, but only until the daemon stops: not a success.
		d.log.Debug("local API: "+r.URL.Path, "name", req.Name, "err", err)
		writeError(w, http.StatusConflict, APIError{Code: CodeNotSaved, Message: oneLine(err.Error())})
	default:
		d.log.Debug("local API: "+r.URL.Path, "name", req.Name)
		writeJSON(w, http.StatusOK, struct{}{})
	}
}

// decodeBody reads one JSON object of known fields into v; on error it
// answers 400 and returns false.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON object")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, APIError{Code: CodeBadRequest, Message: "malformed request: " + oneLine(err.Error())})
		return false
	}
	return true
}

// serveActivity writes the recent records, one JSON object a line;
// with follow=1 it goes on writing new ones until the client leaves or
// the daemon stops. A follower that falls behind gets a line
// {"missed":N} for the records it lost.
func (d *Daemon) serveActivity(w http.ResponseWriter, r *http.Request) {
	follow := r.URL.Query().Get("follow") == "1"
	var sub *activity.Subscription
	if follow {
		sub = d.SubscribeActivity(256) // before Recent: nothing falls between
		defer sub.Close()
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	var line []byte
	for _, rec := range d.Activity() {
		line = append(rec.AppendJSON(line[:0]), '\n')
		w.Write(line)
	}
	if !follow {
		return
	}
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) // the stream stays open
	rc.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-d.ctx.Done():
			return
		case rec, ok := <-sub.C():
			if !ok {
				return
			}
			if n := sub.Missed(); n > 0 {
				w.Write([]byte(`{"missed":` + strconv.FormatUint(n, 10) + "}\n"))
			}
			line = append(rec.AppendJSON(line[:0]), '\n')
			if _, err := w.Write(line); err != nil {
				return
			}
			rc.Flush()
		}
	}
}
