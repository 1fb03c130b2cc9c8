package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/awsxc/awsxc/engine"
	"github.com/awsxc/awsxc/engine/daemon/wire"
)

func pid() int { return os.Getpid() }

// Handler returns the local API's HTTP handler: [PathCredentials],
// [PathStatus], [PathServers], [PathRemove], [PathRevoke] and
// [PathActivity], each answered only to a request of this protocol
// [Version]. It writes a Debug record per request (never a secret).
func (d *Daemon) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(Header, strconv.Itoa(Version))
		if v := r.Header.Get(Header); v != strconv.Itoa(Version) {
			d.log.Debug("local API: refused", "method", r.Method, "path", r.URL.Path, "protocol", v)
			writeError(w, http.StatusConflict, APIError{Code: CodeFallback,
				Message: fmt.Sprintf("protocol version %q; this daemon speaks %d", v, Version)})
			return
		}
		// Exact paths only: no redirects, no cleaning.
		var method string
		var serve http.HandlerFunc
		switch r.URL.Path {
		case PathCredentials:
			method, serve = http.MethodPost, d.serveCredentials
		case PathStatus:
			method, serve = http.MethodGet, d.serveStatus
		case PathServers:
			method, serve = http.MethodGet, d.serveServers
			if r.Method == http.MethodPost {
				method = http.MethodPost
			}
		case PathRemove:
			method, serve = http.MethodPost, d.serveRemove
		case PathRevoke:
			method, serve = http.MethodPost, d.serveRevoke
		case PathActivity:
			method, serve = http.MethodGet, d.serveActivity
		default:
			writeError(w, http.StatusNotFound, APIError{Code: CodeFallback, Message: "no such endpoint: " + oneLine(r.URL.Path)})
			return
		}
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, APIError{Code: CodeBadRequest, Message: r.URL.Path + " takes " + method})
			return
		}
		serve(w, r)
	})
}

func (d *Daemon) serveStatus(w http.ResponseWriter, r *http.Request) {
	d.log.Debug("local API: status")
	writeJSON(w, http.StatusOK, d.Status())
}

// fallbackError is a request the daemon leaves to its client.
type fallbackError string

func (e fallbackError) Error() string { return string(e) }

func (d *Daemon) serveCredentials(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	req, aerr, status := decodeRequest(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if aerr != nil {
		d.log.Debug("local API: bad request", "status", status, "err", aerr.Message)
		writeError(w, status, *aerr)
		return
	}
	if diff := d.cfg.Diff(req.Config); len(diff) > 0 {
		msg := "another configuration than the daemon's: " + strings.Join(diff, ", ") + " differ"
		d.log.Debug("local API: not answered", "profile", req.Profile, "why", msg)
		writeError(w, http.StatusConflict, APIError{Code: CodeFallback, Message: msg})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestWait)
	defer cancel()
	resp, route, err := d.resolve(ctx, req)
	if errors.Is(err, errLater) {
		if held, ok := w.(*heldAnswer); ok {
			held.later = true // asked again through the http.Server
			return
		}
	}
	var e *engine.Error
	var fb fallbackError
	switch {
	// Each record is written before the answer, whose client may be
	// gone a moment after it.
	case err == nil:
		d.log.Debug("local API: credentials", "profile", req.Profile, "from", route, "kind", resp.Kind,
			"key", engine.MaskKey(resp.Credentials.AccessKeyID), "direct", isNowOnly(ctx), "took", time.Since(start))
		writeBody(w, http.StatusOK, wire.AppendResponse(make([]byte, 0, 512), resp))
	case errors.As(err, &fb):
		d.log.Debug("local API: not answered", "profile", req.Profile, "why", err)
		writeError(w, http.StatusConflict, APIError{Code: CodeFallback, Message: err.Error()})
	case errors.As(err, &e) && err == error(e):
		d.log.Debug("local API: resolution failed", "profile", req.Profile, "from", route, "err", err)
		writeError(w, http.StatusUnprocessableEntity, apiError(e))
	default:
		d.log.Debug("local API: cannot answer", "profile", req.Profile, "from", route, "err", err)
		writeError(w, http.StatusServiceUnavailable, APIError{Code: CodeUnavailable, Message: oneLine(err.Error())})
	}
}

// decodeRequest reads a credentials request; on error it returns what to
// answer. A field this daemon does not know means the client asks for
// something it cannot do: the client resolves by itself.
func decodeRequest(body io.Reader) (CredentialsRequest, *APIError, int) {
	data, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return CredentialsRequest{}, &APIError{Code: CodeBadRequest, Message: fmt.Sprintf("request bigger than %d bytes", MaxRequestBytes)}, http.StatusRequestEntityTooLarge
	case err != nil:
		return CredentialsRequest{}, &APIError{Code: CodeBadRequest, Message: "malformed request: " + oneLine(err.Error())}, http.StatusBadRequest
	}
	req, ok := scanRequest(data)
	if !ok {
		// Not in a client's plain form: encoding/json decodes it, or
		// says what is wrong with it.
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			if strings.HasPrefix(err.Error(), "json: unknown field ") {
				return req, &APIError{Code: CodeFallback, Message: "this daemon does not know " + strings.TrimPrefix(err.Error(), "json: ")}, http.StatusConflict
			}
			return req, &APIError{Code: CodeBadRequest, Message: "malformed request: " + oneLine(err.Error())}, http.StatusBadRequest
		}
		if dec.More() {
			return req, &APIError{Code: CodeBadRequest, Message: "malformed request: data after the JSON object"}, http.StatusBadRequest
		}
	}
	if req.DurationSeconds < 0 || req.DurationSeconds > 129600 {
		return req, &APIError{Code: CodeBadRequest, Message: "duration_seconds out of range"}, http.StatusBadRequest
	}
	return req, nil, 0
}

// resolve answers a request the way the client would have resolved it in
// its own process (engine.Obtain), through the shared sources where
// they give the same answer. route says which way it went, for the log.
func (d *Daemon) resolve(ctx context.Context, req CredentialsRequest) (*CredentialsResponse, string, error) {
	if d.ctx.Err() != nil {
		return nil, "", errors.New("the daemon is shutting down")
	}
	p, err := d.load(ctx, req.Profile)
	if err != nil {
		return nil, "load", err
	}
	var c engine.Credentials
	var route string
	switch {
	case p.Kind == engine.KindProcess:
		// Its program runs with the caller's environment and working
		// folder, which are not the daemon's.
		return nil, "", fallbackError("credential_process profiles are resolved by their caller, in its own environment")
	case p.Kind == engine.KindStatic && !req.EnsureTemporary:
		// Keys in the files, which never expire: those just read.
		route = "files"
		c, err = p.Retrieve(ctx, false)
	case p.Kind == engine.KindSession,
		req.EnsureTemporary && (req.DurationSeconds != 0 || req.MFASerial != ""):
		// A session token in the files (with the expiry awsxc may have
		// written next to it), or a GetSessionToken of options the
		// shared sources do not make: as the client would.
		route = "obtain"
		if isNowOnly(ctx) {
			return nil, route, errLater
		}
		c, err = d.obtain(ctx, req)
	default:
		route = "registry"
		c, err = d.shared(ctx, req, p.Fingerprint)
	}
	if err != nil {
		return nil, route, err
	}
	resp := &CredentialsResponse{Profile: p.Name, Kind: string(p.Kind), Region: p.Region, Credentials: wire.FromEngine(c)}
	for _, w := range p.Warnings {
		resp.Warnings = append(resp.Warnings, Warning{File: w.File, Text: w.Text})
	}
	return resp, route, nil
}

// obtain resolves the request as engine.Obtain does, with no cache.
func (d *Daemon) obtain(ctx context.Context, req CredentialsRequest) (engine.Credentials, error) {
	o := engine.ObtainOptions{
		Env: d.opts.Env, Profile: req.Profile, Logger: d.log,
		EnsureTemporary: req.EnsureTemporary,
		SessionDuration: time.Duration(req.DurationSeconds) * time.Second,
		MFASerial:       req.MFASerial,
	}
	if code := req.MFACode; code != "" {
		o.MFA = func() (string, error) { return code, nil }
	}
	r, err := engine.Obtain(ctx, o)
	if err != nil {
		return engine.Credentials{}, err
	}
	return r.Credentials, nil
}

// shared answers from the registry's source for the profile, made for
// the configuration whose fingerprint is given: credentials in hand at
// once; else a fetch that every concurrent caller shares; with an MFA
// code a refresh that uses it. A profile that needs a code the request
// does not bring gets ErrMFARequired at once, and the front end's
// Prompter (if any) is asked in the background.
func (d *Daemon) shared(ctx context.Context, req CredentialsRequest, fingerprint string) (engine.Credentials, error) {
	src, release, err := d.acquire(ctx, req.Profile, fingerprint)
	if err != nil {
		return engine.Credentials{}, err
	}
	defer release()
	if !req.Refresh {
		if c, ok := src.Current(); ok {
			return c, nil
		}
	}
	if isNowOnly(ctx) {
		return engine.Credentials{}, errLater
	}
	if req.MFACode == "" && d.isPrompting(req.Profile) {
		return engine.Credentials{}, &engine.Error{Profile: req.Profile, Kind: engine.ErrMFARequired,
			Err: errors.New("the daemon is asking for a code"), Action: engine.ActionMFACode, Hint: engine.ActionMFACode.Hint(req.Profile)}
	}
	if req.MFACode != "" || req.Refresh {
		if err := d.withCode(ctx, req.Profile, req.MFACode, src.Refresh); err != nil {
			return engine.Credentials{}, err
		}
	}
	c, err := src.Credentials(ctx)
	if errors.Is(err, engine.ErrMFARequired) {
		d.startPrompt(req.Profile, func(ctx context.Context) error {
			src, release, err := d.reg.Acquire(ctx, req.Profile)
			if err != nil {
				return err
			}
			defer release()
			return src.Refresh(ctx)
		})
	}
	return c, err
}

// acquire holds the registry's source for profile, replacing it when it
// was made from another configuration than the one whose fingerprint is
// given (the files changed since).
func (d *Daemon) acquire(ctx context.Context, profile, fingerprint string) (*engine.Source, func(), error) {
	src, release, err := d.reg.Acquire(ctx, profile)
	if err == nil && src.Profile().Fingerprint != fingerprint {
		d.log.Debug("the profile's configuration changed; loading it again", "profile", profile)
		d.reg.Discard(src)
		release()
		src, release, err = d.reg.Acquire(ctx, profile)
	}
	if err != nil {
		var e *engine.Error
		if errors.As(err, &e) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("no source for profile %q: %w", profile, err)
	}
	return src, release, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	writeBody(w, status, b.Bytes())
}

// writeBody answers a JSON body.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

func writeError(w http.ResponseWriter, status int, e APIError) {
	writeJSON(w, status, ErrorResponse{Error: e})
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
