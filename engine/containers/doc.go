// Package containers knows how a container reaches awsxc's credentials
// servers on this machine, on each container engine people use: it tells
// the engines apart from what their CLIs print, and for each engine and
// server it gives the recipe: the host name the container uses, where
// the server must listen, the docker run flags and a Compose fragment.
// Everything is returned as data; nothing is printed, and nothing is
// guessed: what the CLIs do not say stays unknown.
//
// # Detection
//
// [Probe] runs the docker and podman CLIs through a [Runner] ([CLI] runs
// the real programs with a timeout, so a missing CLI, a stopped engine or
// a hung one are each a clear [CommandError]) and collects their outputs
// as [Inputs]. [Detect] reads them with ordered rules, first match wins:
//
//  1. Podman: docker version names a "Podman Engine" component.
//  2. Docker Desktop: docker info's Operating System "Docker Desktop", its
//     Name "docker-desktop", or its com.docker.desktop.address label.
//  3. OrbStack: Operating System "OrbStack", or a Name with "orbstack".
//  4. Rancher Desktop: Operating System "Rancher Desktop…", or a Name with
//     "rancher-desktop" (its VM is lima-rancher-desktop, hence before Lima).
//  5. Colima: a Name starting "colima" (the profile's VM).
//  6. Lima: a Name starting "lima".
//  7. Then, when docker's engine did not answer, podman info (Podman).
//  8. Then the docker context, whose name and endpoint identify all of the
//     above while they are stopped, Docker Engine on Linux
//     (/var/run/docker.sock, or /run/user/UID/docker.sock when rootless),
//     and engines on other machines (tcp://, ssh://).
//
// What the engine says comes before the context, because a context can
// mislead: Rancher Desktop with administrative access and Podman behind
// podman-mac-helper both appear as "default" on /var/run/docker.sock.
// Outputs that fit no rule, or do not parse, give [Unknown]; a user can
// then name the engine ([ParseKind], [Named]).
//
// The parsers ([ParseContext], [ParseInfo], [ParseVersion],
// [ParsePodmanInfo], [ParseNetwork]) read the JSON the CLIs print with
// --format, and also the human-readable docker info, docker version and
// docker context ls, so that a pasted output can be diagnosed. The tests
// run them on real outputs recorded from each engine (testdata/samples).
//
// # Recipes
//
// [Engine.Recipe] answers, for an [IMDS] or [ECS] server on a port:
//
//   - Docker Desktop, OrbStack, Colima, Rancher Desktop, Lima and Podman
//     machine reach this machine's loopback through their VM, as
//     host.docker.internal (host.lima.internal, host.containers.internal):
//     the server stays on 127.0.0.1.
//   - Rootful Docker Engine on Linux reaches this machine at the docker
//     bridge's gateway (--add-host=host.docker.internal:host-gateway): the
//     server must listen there too, which every container on the machine's
//     Docker networks can reach ([Recipe] Exposure says so).
//   - Rootless Podman keeps this machine's loopback out of containers;
//     pasta's --map-host-loopback lets one container in. Rootless Docker
//     needs host loopback turned on in RootlessKit.
//   - ECS: SDKs take a container-credentials URL over http only on
//     loopback (or 169.254.170.2/.23), and a container's loopback is its
//     own. Only host networking (Docker Engine on Linux, OrbStack) makes
//     127.0.0.1 this machine's; elsewhere the recipe is not usable, its Note
//     says why, and Instead names IMDS.
//
// ECS recipes hand the token over as a read-only file ([TokenTarget]), so
// it stays out of command lines, shell history and docker inspect.
// [Recipe.RunFlags] and [Recipe.Compose] render a recipe; the same recipe
// always gives the same bytes.
package containers
