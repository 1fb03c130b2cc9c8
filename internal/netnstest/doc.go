// Package netnstest gives a Linux test a network of its own, shaped like a
// container on a Docker Engine bridge: a network namespace joined to the
// test's by a veth pair, with a private address on each end. A server the
// test binds on the host end is reached from inside the namespace the way
// a bridged container reaches a server on the bridge's gateway address,
// and not through loopback.
//
// [New] picks a random /30 from 198.18.0.0/15 (RFC 2544's benchmarking
// range, never routed on the internet), after checking that this machine
// routes none of it: documentation ranges are not safe here, since sandboxes
// use them (this project's CI machine is on 192.0.2.0/24). The namespace
// is anonymous and held by a child process, so the kernel removes it, and
// with it both ends of the veth pair, when that child exits: at the end
// of the test, and also when the test binary is killed. Nothing is left in
// /run/netns to sweep.
//
// It needs root and the ip (iproute2), unshare and nsenter (util-linux)
// programs. Without them the test is skipped, or fails when CI=true, so a
// green CI never comes from skipped tests.
//
// # Example
//
// A server on the host end, and botocore in the namespace fetching
// credentials from it as a container on a bridge would:
//
//	func TestIMDSFromBridge(t *testing.T) {
//		ns := netnstest.New(t)
//		srv, err := engine.NewIMDSServer(ctx, src, engine.ServerOptions{
//			Addr: netip.AddrPortFrom(ns.Host, 0).String(),
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer srv.Close()
//		cmd := ns.Command(ctx, "/usr/bin/python3", "-c", `
//	import botocore.session
//	c = botocore.session.get_session().get_credentials()
//	print(c.access_key)`)
//		cmd.Env = []string{ // nothing of the test's own environment
//			"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + srv.URL(),
//			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
//		}
//		out, err := cmd.CombinedOutput()
//		...
//	}
//
// Inside the namespace only the veth's /30 and loopback exist: no default
// route, no DNS. Give programs addresses, not names, and absolute paths.
package netnstest
