package daemon

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/awsxc/awsxc/engine/activity"
	"github.com/awsxc/awsxc/engine/server"
	"github.com/awsxc/awsxc/internal/localsock"
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

// Servers asks the daemon for its servers and consumers. Errors wrap
// [ErrFallback] when no daemon answers.
func (c *Client) Servers(ctx context.Context) ([]ServerInfo, error) {
	var resp ServersResponse
	if err := c.exchange(ctx, http.MethodGet, PathServers, nil, &resp); err != nil {
		return nil, err
	}
	out := make([]ServerInfo, 0, len(resp.Servers))
	for _, w := range resp.Servers {
		info, err := w.Info()
		if err != nil {
			return nil, fallback("the daemon's answer: %v", err)
		}
		out = append(out, info)
	}
	return out, nil
}

// AddServer asks the daemon to add a server or consumer, and returns it
// with the daemon's warning, if any. A server that cannot be added is
// an error that does not wrap [ErrFallback]; one the daemon's settings
// cannot be saved with (nothing was added) wraps [ErrNotSaved].
func (c *Client) AddServer(ctx context.Context, spec ServerSpec) (ServerInfo, string, error) {
	var resp ServerResponse
	if err := c.exchange(ctx, http.MethodPost, PathServers, spec, &resp); err != nil {
		return ServerInfo{}, "", err
	}
	info, err := resp.Server.Info()
	if err != nil {
		return ServerInfo{}, "", fallback("the daemon's answer: %v", err)
	}
	return info, resp.Warning, nil
}

// RemoveServer asks the daemon to remove a server or consumer. An
// unknown name is an error wrapping [ErrNoServer]. A removal the
// daemon made but could not save in its settings (it holds until the
// daemon stops) is an error wrapping [ErrNotSaved], which says so.
func (c *Client) RemoveServer(ctx context.Context, name string) error {
	return c.exchange(ctx, http.MethodPost, PathRemove, NameRequest{Name: name}, nil)
}

// Revoke asks the daemon to revoke a consumer. An unknown name is an
// error wrapping [ErrNoServer], a server's [ErrNotConsumer]. A
// revocation the daemon made but could not save in its settings (the
// token no longer works; the consumer comes back when the daemon
// restarts) is an error wrapping [ErrNotSaved], which says so.
func (c *Client) Revoke(ctx context.Context, name string) error {
	return c.exchange(ctx, http.MethodPost, PathRevoke, NameRequest{Name: name}, nil)
}

// exchange runs one request of the management endpoints: body (JSON)
// for a POST, out for a 200 answer. An answer of CodeNotFound,
// CodeInvalid or CodeNotSaved is an error of its own (wrapping
// ErrNoServer, ErrNotConsumer or ErrNotSaved when it says so); anything
// else that fails wraps ErrFallback.
func (c *Client) exchange(ctx context.Context, method, path string, body, out any) error {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return err
		}
	}
	resp, cancel, err := c.open(ctx, method, path, data, true)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil && len(b) <= MaxResponseBytes {
		return fallback("reading the daemon's answer: %v", err)
	}
	if resp.StatusCode == http.StatusConflict && resp.Header.Get(Header) == versionText {
		var er ErrorResponse
		if json.Unmarshal(b, &er) == nil && er.Error.Code == CodeNotSaved {
			return notSavedError{errors.New(oneLine(er.Error.Message))}
		}
	}
	if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnprocessableEntity {
		var er ErrorResponse
		if json.Unmarshal(b, &er) == nil {
			switch er.Error.Code {
			case CodeNotFound:
				return fmt.Errorf("%w: %s", ErrNoServer, er.Error.Message)
			case CodeInvalid:
				if bytes.Contains(b, []byte(ErrNotConsumer.Error())) {
					return fmt.Errorf("%w: %s", ErrNotConsumer, er.Error.Message)
				}
				return errors.New(er.Error.Message)
			}
		}
	}
	if out == nil {
		out = &struct{}{}
	}
	return decodeAnswer(resp.StatusCode, resp.Header.Get(Header), b, out)
}

// Activity reads the daemon's recent activity records, oldest first,
// and with follow goes on with each new one until ctx is done (then it
// returns nil). fn is called for each record; missed, when not 0, is
// how many records the daemon dropped before this one because the
// reader fell behind. An error of fn ends the reading and is returned.
// Errors wrap [ErrFallback] when no daemon answers.
func (c *Client) Activity(ctx context.Context, follow bool, fn func(r activity.Record, missed uint64) error) error {
	path := PathActivity
	if follow {
		path += "?follow=1"
	}
	resp, cancel, err := c.open(ctx, http.MethodGet, path, nil, !follow)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(Header) != versionText {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
		return decodeAnswer(resp.StatusCode, resp.Header.Get(Header), b, &struct{}{})
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 1024), maxActivityLine)
	var missed uint64
	for sc.Scan() {
		line := sc.Bytes()
		var m struct {
			Missed *uint64 `json:"missed"`
		}
		if json.Unmarshal(line, &m) == nil && m.Missed != nil {
			missed += *m.Missed
			continue
		}
		r, err := activity.ParseJSON(line)
		if err != nil {
			return fallback("the daemon's activity: %v", err)
		}
		if err := fn(r, missed); err != nil {
			return err
		}
		missed = 0
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		return fallback("reading the daemon's activity: %v", err)
	}
	return nil
}

// open sends one request and returns the answer's head; the body is
// the caller's to read and close, then cancel. bounded applies the
// client's Timeout to the whole exchange; unbounded (a follow stream)
// bounds only the connection and the answer's head.
func (c *Client) open(ctx context.Context, method, path string, body []byte, bounded bool) (resp *http.Response, cancel func(), err error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dctx, dcancel := context.WithTimeout(ctx, timeout)
	conn, err := localsock.Dial(dctx, localsock.Options{Path: c.Path})
	dcancel()
	if err != nil {
		return nil, nil, fallback("%w", err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	cleanup := func() { stop(); conn.Close() }
	msg := []byte(method + " " + path + " HTTP/1.1\r\nHost: awsxc\r\n" + Header + ": " + versionText + "\r\nConnection: close\r\n")
	if body != nil {
		msg = append(msg, "Content-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n"...)
	}
	msg = append(append(msg, "\r\n"...), body...)
	if _, err = conn.Write(msg); err != nil {
		cleanup()
		return nil, nil, fallback("sending to the daemon: %v", timedOut(err, timeout))
	}
	var r io.Reader = conn
	if bounded {
		r = io.LimitReader(conn, maxHeaderBytes+MaxResponseBytes+1)
	}
	br := bufio.NewReader(r)
	resp, err = http.ReadResponse(br, nil)
	if err != nil {
		cleanup()
		return nil, nil, fallback("reading the daemon's answer: %v", timedOut(err, timeout))
	}
	if !bounded {
		conn.SetDeadline(time.Time{}) // a stream: until ctx ends it
	}
	return resp, cleanup, nil
}
