// Package fakeaws gives engine tests the module's fake STS/SSO endpoint
// under its old path; see github.com/awsxc/awsxc/internal/fakeaws.
package fakeaws

import "github.com/awsxc/awsxc/internal/fakeaws"

// Server is a fake STS + SSO endpoint.
type Server = fakeaws.Server

// Call is one request the server received.
type Call = fakeaws.Call

// New starts a server.
func New() *Server { return fakeaws.New() }
