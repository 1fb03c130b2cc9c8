#!/usr/bin/env bash
# End-to-end test of awsxc-cli's credential servers with real AWS clients:
# botocore (Debian python3-botocore), the AWS CLI v2 (Debian awscli) and the
# JavaScript SDK v3 (@aws-sdk/credential-providers from npm, installed here
# into test/e2e/node_modules from the committed package-lock.json) each
# fetch credentials from a real `awsxc-cli --imds 0` and
# `awsxc-cli --container 0 TOKEN` process backed by the module's fake STS,
# and from one `awsxc-cli serve` process with two pinned IMDS servers (two
# profiles) and an ECS listener with two consumers, each reading its own
# profile with a token of its own (token files; the EKS Pod Identity path
# /v1/credentials). Each check compares the key id the client got with the
# one the server serves. At the end the fake STS must have seen one
# GetSessionToken per profile and server process, however many client
# fetches there were, and serve's audit log must hold each client's
# User-Agent. Then the same clients read a profile whose
# credential_process is awsxc-cli, with awsxc-cli daemon running: one
# AssumeRole for all of them.
#
# A missing tool is a skip locally and a failure when CI=true. What a
# client's version cannot do (Debian's botocore 1.29 and AWS CLI 2.9 predate
# token files) is reported as UNSUPPORTED with the reason: a property of the
# client, never a failure. The last line is "e2e: N passed, M failed"; the
# exit status is non-zero on any failure.
#
# AWSXC_CLI=/path/to/awsxc-cli uses that binary instead of building one.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ci=false
[ "${CI:-}" = true ] && ci=true

# Absolute Debian paths: pyenv shims on PATH shadow aws and python3.
PY=/usr/bin/python3
AWS=/usr/bin/aws

tmp=$(mktemp -d)
pids=()
cleanup() {
  exec 3>&- 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+: $2}"; }
skip() {
  if $ci; then fail "$1" "$2 (a missing tool fails under CI=true)"; else echo "SKIP $1: $2"; fi
}
# unsupported NAME WHY: the client version cannot do this; not a failure.
unsupported() { echo "UNSUPPORTED $1: $2 (a property of this client version, not a failure)"; }
summary() {
  echo "e2e: $passed passed, $failed failed"
  [ "$failed" = 0 ]
  exit
}

# wait_for FILE REGEX: wait up to 15 s for a line matching REGEX in FILE.
wait_for() {
  for _ in $(seq 150); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# --- build -------------------------------------------------------------
cli=${AWSXC_CLI:-}
if [ -z "$cli" ]; then
  cli="$tmp/awsxc-cli"
  if ! (cd "$root" && go build -o "$cli" ./cmd/awsxc-cli) >"$tmp/build.log" 2>&1; then
    cat "$tmp/build.log"
    fail "build awsxc-cli"
    summary
  fi
fi
if ! (cd "$root" && go build -o "$tmp/fakests" ./internal/fakeaws/fakests) >"$tmp/build.log" 2>&1; then
  cat "$tmp/build.log"
  fail "build fakests"
  summary
fi
if ! command -v curl >/dev/null; then
  skip "e2e" "curl not installed"
  summary
fi

# --- fake STS and an isolated AWS setup for the servers ------------------
mkfifo "$tmp/sts.in"
"$tmp/fakests" <"$tmp/sts.in" >"$tmp/sts.out" 2>&1 &
pids+=($!)
exec 3>"$tmp/sts.in"
if ! wait_for "$tmp/sts.out" '^http://'; then
  fail "fake STS start"
  summary
fi
sts_url=$(head -n1 "$tmp/sts.out")

mkdir -p "$tmp/home/.aws" "$tmp/client"
cat >"$tmp/home/.aws/config" <<'EOF'
[profile static]
region = eu-west-1
[profile other]
region = eu-central-1
EOF
cat >"$tmp/home/.aws/credentials" <<'EOF'
[static]
aws_access_key_id = AKIAE2ESTATICEXAMPLE
aws_secret_access_key = e2eStaticSecret
[other]
aws_access_key_id = AKIAE2EOTHEREXAMPLE1
aws_secret_access_key = e2eOtherSecret
EOF
cat >>"$tmp/home/.aws/config" <<EOF
[profile role]
role_arn = arn:aws:iam::210987654321:role/E2E
source_profile = static
region = eu-west-1
[profile viadaemon]
credential_process = $cli --profile role --json
region = eu-west-1
EOF
: >"$tmp/client/empty"

server_env=(env -i "PATH=/usr/bin:/bin" "HOME=$tmp/home"
  "AWS_CONFIG_FILE=$tmp/home/.aws/config" "AWS_SHARED_CREDENTIALS_FILE=$tmp/home/.aws/credentials"
  "AWS_ENDPOINT_URL_STS=$sts_url" "AWS_EC2_METADATA_DISABLED=true")
# Clients see no profile, only the server settings they are given.
client_env=(env -i "PATH=/usr/bin:/bin" "HOME=$tmp/client"
  "AWS_CONFIG_FILE=$tmp/client/empty" "AWS_SHARED_CREDENTIALS_FILE=$tmp/client/empty")

# --- the two servers ------------------------------------------------------
"${server_env[@]}" "$cli" --profile static --imds 0 2>"$tmp/imds.err" &
imds_pid=$!
pids+=($imds_pid)
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"${server_env[@]}" "$cli" --profile static --container 0 "$token" --container-token-file "$tmp/token" 2>"$tmp/ecs.err" &
ecs_pid=$!
pids+=($ecs_pid)

if ! wait_for "$tmp/imds.err" 'AWS_EC2_METADATA_SERVICE_ENDPOINT=http'; then
  cat "$tmp/imds.err"
  fail "IMDS server start"
  summary
fi
if ! wait_for "$tmp/ecs.err" 'AWS_CONTAINER_CREDENTIALS_FULL_URI=http'; then
  cat "$tmp/ecs.err"
  fail "container server start"
  summary
fi
imds_url=$(sed -n 's/.*AWS_EC2_METADATA_SERVICE_ENDPOINT=\(http[^ ]*\).*/\1/p' "$tmp/imds.err" | head -n1)
ecs_url=$(sed -n 's/.*AWS_CONTAINER_CREDENTIALS_FULL_URI=\(http[^ ]*\).*/\1/p' "$tmp/ecs.err" | head -n1)
echo "servers: IMDS $imds_url, container $ecs_url"

if [ -f "$tmp/token" ] && [ "$(cat "$tmp/token")" = "$token" ] && [ "$(stat -c %a "$tmp/token")" = 600 ]; then
  pass "container token file written (0600, no newline)"
else
  fail "container token file written (0600, no newline)"
fi

keyof() { sed -n 's/.*"AccessKeyId" *: *"\([^"]*\)".*/\1/p' | head -n1; }
imds_tok=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "${imds_url}latest/api/token")
imds_role=$(curl -sf -H "X-aws-ec2-metadata-token: $imds_tok" "${imds_url}latest/meta-data/iam/security-credentials/")
imds_key=$(curl -sf -H "X-aws-ec2-metadata-token: $imds_tok" "${imds_url}latest/meta-data/iam/security-credentials/$imds_role" | keyof)
ecs_key=$(curl -sf -H "Authorization: $token" "$ecs_url" | keyof)
if [[ $imds_key == ASIA* && $ecs_key == ASIA* ]]; then
  pass "servers serve temporary keys (IMDS role $imds_role)"
else
  fail "servers serve temporary keys" "IMDS '$imds_key', container '$ecs_key'"
fi

imds_vars=("AWS_EC2_METADATA_SERVICE_ENDPOINT=$imds_url")
ecs_vars=("AWS_CONTAINER_CREDENTIALS_FULL_URI=$ecs_url" "AWS_CONTAINER_AUTHORIZATION_TOKEN=$token" "AWS_EC2_METADATA_DISABLED=true")
file_vars=("AWS_CONTAINER_CREDENTIALS_FULL_URI=$ecs_url" "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/token" "AWS_EC2_METADATA_DISABLED=true")

# check NAME WANT_KEY CMD...: run a client; pass when its output has the key.
check() {
  local name=$1 want=$2
  shift 2
  local out
  if out=$(timeout 60 "$@" 2>"$tmp/client.err") && [[ $out == *"$want"* ]]; then
    pass "$name"
  else
    fail "$name" "want key $want, got: $(echo "$out" | tr '\n' ' ' | head -c 300) $(tr '\n' ' ' <"$tmp/client.err" | head -c 300)"
  fi
}

# supports_token_file FILE: the client's container provider reads
# AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (botocore ≥ 1.31; Debian 12 has 1.29).
supports_token_file() { grep -q AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "$1" 2>/dev/null; }

# --- botocore -------------------------------------------------------------
if [ -x "$PY" ] && "$PY" -c 'import botocore' 2>/dev/null; then
  check "botocore IMDS" "iam-role $imds_key" "${client_env[@]}" "${imds_vars[@]}" "$PY" "$here/clients.py"
  check "botocore container token" "container-role $ecs_key" "${client_env[@]}" "${ecs_vars[@]}" "$PY" "$here/clients.py"
  bc=$("$PY" -c 'import botocore.credentials as m; print(m.__file__)')
  if supports_token_file "$bc"; then
    check "botocore container token file" "container-role $ecs_key" "${client_env[@]}" "${file_vars[@]}" "$PY" "$here/clients.py"
  else
    echo "note: botocore $("$PY" -c 'import botocore; print(botocore.__version__)') has no token-file support; not tested"
  fi
  # A wrong token: no credentials, and no secret in what the client shows.
  if out=$(timeout 60 "${client_env[@]}" "AWS_CONTAINER_CREDENTIALS_FULL_URI=$ecs_url" "AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong" \
    "AWS_EC2_METADATA_DISABLED=true" "$PY" "$here/clients.py" 2>&1); then
    fail "botocore wrong token refused" "got credentials: $out"
  elif [[ $out == *Secret* || $out == *FAKETOKEN* ]]; then
    fail "botocore wrong token refused" "a secret in the output"
  else
    pass "botocore wrong token refused"
  fi
else
  skip "botocore" "$PY with botocore not installed (apt-get install python3-botocore)"
fi

# --- AWS CLI v2 -------------------------------------------------------------
if [ -x "$AWS" ] && "$AWS" --version 2>&1 | grep -q '^aws-cli/2'; then
  check "aws cli v2 IMDS" "$imds_key" "${client_env[@]}" "${imds_vars[@]}" "$AWS" configure export-credentials --format process
  check "aws cli v2 container token" "$ecs_key" "${client_env[@]}" "${ecs_vars[@]}" "$AWS" configure export-credentials --format process
  ac=$(ls /usr/lib/python3/dist-packages/awscli/botocore/credentials.py 2>/dev/null)
  if supports_token_file "$ac"; then
    check "aws cli v2 container token file" "$ecs_key" "${client_env[@]}" "${file_vars[@]}" "$AWS" configure export-credentials --format process
  else
    echo "note: $("$AWS" --version 2>&1 | cut -d' ' -f1) has no token-file support; not tested"
  fi
else
  skip "aws cli v2" "$AWS (v2) not installed (apt-get install awscli)"
fi

# --- JavaScript SDK v3 -----------------------------------------------------
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ -d "$here/node_modules/@aws-sdk/credential-providers" ] ||
    (cd "$here" && npm ci --no-audit --no-fund --silent) >"$tmp/npm.log" 2>&1; then
    node=$(command -v node)
    check "js sdk v3 IMDS" "$imds_key" "${client_env[@]}" "${imds_vars[@]}" "$node" "$here/clients.js"
    check "js sdk v3 container token" "$ecs_key" "${client_env[@]}" "${ecs_vars[@]}" "$node" "$here/clients.js"
    check "js sdk v3 container token file" "$ecs_key" "${client_env[@]}" "${file_vars[@]}" "$node" "$here/clients.js"
  else
    cat "$tmp/npm.log"
    skip "js sdk v3" "npm ci failed"
  fi
else
  skip "js sdk v3" "node and npm not installed"
fi

# --- pinned servers: awsxc-cli serve ----------------------------------------
"${server_env[@]}" "$cli" serve --imds 0=static --imds 127.0.0.1:0=other \
  --ecs 0 --ecs-consumer dev=static --ecs-consumer prod=other \
  --token-dir "$tmp/tokens" --audit-log "$tmp/audit.jsonl" 2>"$tmp/serve.err" &
serve_pid=$!
pids+=($serve_pid)
if ! wait_for "$tmp/serve.err" 'Ctrl-C stops'; then
  cat "$tmp/serve.err"
  fail "serve start"
  summary
fi
pinned_url() { sed -n "s/.*serving profile \"$1\" as EC2 instance metadata at \(http[^ ]*\).*/\1/p" "$tmp/serve.err" | head -n1; }
imds_static=$(pinned_url static)
imds_other=$(pinned_url other)
pecs=$(sed -n 's/.*container credentials listener at \(http[^ ]*\) .*/\1/p' "$tmp/serve.err" | head -n1)
echo "serve: IMDS static $imds_static, IMDS other $imds_other, ECS $pecs"
dev_tok=$(cat "$tmp/tokens/dev.token" 2>/dev/null)
prod_tok=$(cat "$tmp/tokens/prod.token" 2>/dev/null)
if [ ${#dev_tok} -ge 43 ] && [ ${#prod_tok} -ge 43 ] && [ "$dev_tok" != "$prod_tok" ] &&
  [ "$(stat -c %a "$tmp/tokens/dev.token")" = 600 ] && [ "$(tail -c1 "$tmp/tokens/dev.token" | od -An -tx1 | tr -d ' ')" != 0a ]; then
  pass "consumer token files written (0600, no final newline, 256 bits)"
else
  fail "consumer token files written" "dev ${#dev_tok} chars, prod ${#prod_tok} chars"
fi
imds_key_at() {
  local t r
  t=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "${1}latest/api/token")
  r=$(curl -sf -H "X-aws-ec2-metadata-token: $t" "${1}latest/meta-data/iam/security-credentials/")
  curl -sf -H "X-aws-ec2-metadata-token: $t" "${1}latest/meta-data/iam/security-credentials/$r" | keyof
}
static_key=$(imds_key_at "$imds_static")
other_key=$(imds_key_at "$imds_other")
if [[ $static_key == ASIA* && $other_key == ASIA* && $static_key != "$other_key" ]]; then
  pass "two pinned IMDS servers in one process serve two profiles"
else
  fail "two pinned IMDS servers serve two profiles" "static '$static_key', other '$other_key'"
fi
dev_key=$(curl -sf -H "Authorization: $dev_tok" "${pecs}v1/credentials" | keyof)
prod_key=$(curl -sf -H "Authorization: $prod_tok" "$pecs" | keyof)
if [ "$dev_key" = "$static_key" ] && [ "$prod_key" = "$other_key" ]; then
  pass "each consumer's token reads its own profile"
else
  fail "each consumer's token reads its own profile" "dev '$dev_key' (want $static_key), prod '$prod_key' (want $other_key)"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: $dev_tok" "${pecs}profiles/other")
if [ "$code" = 403 ]; then pass "a consumer token for one profile gets 403 on another"; else fail "consumer token on another profile" "HTTP $code"; fi
eks_body=$(curl -s -H "Authorization: $dev_tok" -H 'Host: 169.254.170.23' "${pecs}v1/credentials")
if [[ $eks_body =~ ^\{\"AccessKeyId\":\"ASIA[A-Z0-9]+\",\"SecretAccessKey\":\"[^\"]+\",\"Token\":\"[^\"]+\",(\"AccountId\":\"[0-9]+\",)?\"Expiration\":\"[0-9T:-]+Z\"\}$ ]]; then
  pass "/v1/credentials answers in the EKS agent's shape with Host 169.254.170.23"
else
  fail "/v1/credentials EKS shape" "$(echo "$eks_body" | head -c 200)"
fi

dev_vars=("AWS_CONTAINER_CREDENTIALS_FULL_URI=${pecs}" "AWS_CONTAINER_AUTHORIZATION_TOKEN=$dev_tok" "AWS_EC2_METADATA_DISABLED=true")
dev_eks_vars=("AWS_CONTAINER_CREDENTIALS_FULL_URI=${pecs}v1/credentials" "AWS_CONTAINER_AUTHORIZATION_TOKEN=$dev_tok" "AWS_EC2_METADATA_DISABLED=true")
dev_file_vars=("AWS_CONTAINER_CREDENTIALS_FULL_URI=${pecs}" "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/tokens/dev.token" "AWS_EC2_METADATA_DISABLED=true")
prod_eks_file_vars=("AWS_CONTAINER_CREDENTIALS_FULL_URI=${pecs}v1/credentials" "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/tokens/prod.token" "AWS_EC2_METADATA_DISABLED=true")
no_file_support="reads no AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (it came with EKS Pod Identity: botocore 1.34.41, AWS CLI 2.15.0); its env-token fetches above are the check"

if [ -x "$PY" ] && "$PY" -c 'import botocore' 2>/dev/null; then
  bv=$("$PY" -c 'import botocore; print(botocore.__version__)')
  check "botocore pinned IMDS static" "iam-role $static_key" "${client_env[@]}" "AWS_EC2_METADATA_SERVICE_ENDPOINT=$imds_static" "$PY" "$here/clients.py"
  check "botocore pinned IMDS other" "iam-role $other_key" "${client_env[@]}" "AWS_EC2_METADATA_SERVICE_ENDPOINT=$imds_other" "$PY" "$here/clients.py"
  check "botocore consumer token" "container-role $static_key" "${client_env[@]}" "${dev_vars[@]}" "$PY" "$here/clients.py"
  check "botocore consumer token /v1/credentials" "container-role $static_key" "${client_env[@]}" "${dev_eks_vars[@]}" "$PY" "$here/clients.py"
  if supports_token_file "$bc"; then
    check "botocore consumer token file" "container-role $static_key" "${client_env[@]}" "${dev_file_vars[@]}" "$PY" "$here/clients.py"
    check "botocore consumer token file /v1/credentials" "container-role $other_key" "${client_env[@]}" "${prod_eks_file_vars[@]}" "$PY" "$here/clients.py"
  else
    unsupported "botocore consumer token file (/ and /v1/credentials)" "botocore $bv $no_file_support"
  fi
fi
if [ -x "$AWS" ] && "$AWS" --version 2>&1 | grep -q '^aws-cli/2'; then
  av=$("$AWS" --version 2>&1 | cut -d' ' -f1)
  check "aws cli v2 pinned IMDS other" "$other_key" "${client_env[@]}" "AWS_EC2_METADATA_SERVICE_ENDPOINT=$imds_other" "$AWS" configure export-credentials --format process
  check "aws cli v2 consumer token /v1/credentials" "$static_key" "${client_env[@]}" "${dev_eks_vars[@]}" "$AWS" configure export-credentials --format process
  if supports_token_file "$ac"; then
    check "aws cli v2 consumer token file /v1/credentials" "$other_key" "${client_env[@]}" "${prod_eks_file_vars[@]}" "$AWS" configure export-credentials --format process
  else
    unsupported "aws cli v2 consumer token file (/ and /v1/credentials)" "$av $no_file_support"
  fi
fi
if [ -n "${node:-}" ]; then
  check "js sdk v3 pinned IMDS other" "$other_key" "${client_env[@]}" "AWS_EC2_METADATA_SERVICE_ENDPOINT=$imds_other" "$node" "$here/clients.js"
  check "js sdk v3 consumer token file" "$static_key" "${client_env[@]}" "${dev_file_vars[@]}" "$node" "$here/clients.js"
  check "js sdk v3 consumer token file /v1/credentials" "$other_key" "${client_env[@]}" "${prod_eks_file_vars[@]}" "$node" "$here/clients.js"
fi
# Every fetch is in the audit log with the User-Agent the client sent; no
# token or whole key id is.
ua_check() {
  if grep -F '"outcome":"served"' "$tmp/audit.jsonl" | grep -qF "\"user_agent\":\"$1"; then
    pass "activity records carry the User-Agent $2 sent ($1...)"
  else
    fail "activity records carry the User-Agent $2 sent" "no '$1' in: $(grep -o '"user_agent":"[^"]*"' "$tmp/audit.jsonl" | sort -u | tr '\n' ' ')"
  fi
}
[ -n "${bv:-}" ] && ua_check "Botocore/$bv" botocore
[ -n "${av:-}" ] && ua_check "$av" "the AWS CLI"
# The JS SDK's container and IMDS providers send no User-Agent (Node's
# http sets none): its three fetches are the served records without one.
if [ -n "${node:-}" ]; then
  n=$(grep -F '"outcome":"served"' "$tmp/audit.jsonl" | grep -vcF '"user_agent"')
  if [ "$n" -ge 3 ]; then
    pass "the JS SDK's fetches are recorded, without a User-Agent as it sends none ($n)"
  else
    fail "the JS SDK's fetches are recorded" "$n served records without a User-Agent, want 3"
  fi
fi
if grep -q '"consumer":"dev".*"outcome":"forbidden"' "$tmp/audit.jsonl"; then
  pass "the refused fetch of another profile is recorded"
else
  fail "the refused fetch of another profile is recorded"
fi
if grep -qF -e "$dev_tok" -e "$prod_tok" -e "$static_key" -e "$other_key" "$tmp/audit.jsonl" "$tmp/serve.err"; then
  fail "no token or whole key id in serve's audit log and stderr"
else
  pass "no token or whole key id in serve's audit log and stderr"
fi

# --- credential_process through the daemon ------------------------------
# Each client reads profile viadaemon, whose credential_process is
# awsxc-cli for an assume-role profile; with awsxc-cli daemon running in
# the same configuration, every client gets the daemon's credentials:
# one AssumeRole for all of them.
daemon_env=("${server_env[@]}" "XDG_RUNTIME_DIR=$tmp/rt" "XDG_CONFIG_HOME=$tmp/cfg")
mkdir -m 700 "$tmp/rt"
"${daemon_env[@]}" "$cli" daemon --debug 2>"$tmp/daemon.err" &
daemon_pid=$!
pids+=($daemon_pid)
if wait_for "$tmp/daemon.err" 'daemon listening'; then
  proc_env=("${daemon_env[@]}" "AWS_PROFILE=viadaemon")
  daemon_key=$("${proc_env[@]}" "$cli" --profile role --json | keyof)
  if [[ $daemon_key == ASIA* ]]; then pass "awsxc-cli through the daemon"; else fail "awsxc-cli through the daemon" "key '$daemon_key'"; fi
  if [ -x "$PY" ] && "$PY" -c 'import botocore' 2>/dev/null; then
    check "botocore credential_process through the daemon" "custom-process $daemon_key" "${proc_env[@]}" "$PY" "$here/clients.py"
  else
    skip "botocore credential_process" "$PY with botocore not installed"
  fi
  if [ -x "$AWS" ] && "$AWS" --version 2>&1 | grep -q '^aws-cli/2'; then
    check "aws cli v2 credential_process through the daemon" "$daemon_key" "${proc_env[@]}" "$AWS" configure export-credentials --format process
  else
    skip "aws cli v2 credential_process" "$AWS (v2) not installed"
  fi
  if [ -n "${node:-}" ]; then
    check "js sdk v3 credential_process through the daemon" "$daemon_key" "${proc_env[@]}" "$node" "$here/clients.js"
  else
    skip "js sdk v3 credential_process" "node and the SDK not available"
  fi
  kill -TERM "$daemon_pid"
  wait "$daemon_pid"
  rc=$?
  if [ "$rc" = 0 ]; then pass "daemon exits 0 on SIGTERM"; else fail "daemon exits 0 on SIGTERM" "exit $rc"; fi
  answered=$(grep -c 'msg="local API: credentials"' "$tmp/daemon.err")
  if [ "$answered" -ge 4 ] || { [ "$answered" -ge 2 ] && [ -z "${node:-}" ]; }; then
    pass "the daemon answered every client ($answered requests)"
  else
    fail "the daemon answered every client" "$answered requests: $(tail -5 "$tmp/daemon.err" | tr '\n' ' ')"
  fi
  if grep -qE 'e2eStaticSecret|fakeSecret|FAKETOKEN' "$tmp/daemon.err"; then
    fail "no secret in the daemon's log"
  else
    pass "no secret in the daemon's log"
  fi
else
  cat "$tmp/daemon.err"
  fail "daemon start"
fi

# --- graceful shutdown and the STS call count -------------------------------
kill -INT "$imds_pid" "$ecs_pid" "$serve_pid"
for p in "$imds_pid" "$ecs_pid" "$serve_pid"; do
  wait "$p"
  rc=$?
  if [ "$rc" = 0 ]; then pass "server $p exits 0 on SIGINT"; else fail "server $p exits 0 on SIGINT" "exit $rc"; fi
done
# The token was given through a file, so the start-up text must not show it.
if grep -qF "$token" "$tmp/ecs.err" || grep -qE 'e2eStaticSecret|e2eOtherSecret|fakeSecret|FAKETOKEN' "$tmp/imds.err" "$tmp/ecs.err" "$tmp/serve.err"; then
  fail "no secret in the servers' stderr"
else
  pass "no secret in the servers' stderr"
fi
exec 3>&-
wait_for "$tmp/sts.out" '=' || true
sleep 0.2
gst=$(sed -n 's/^GetSessionToken=//p' "$tmp/sts.out")
# --imds and --container: one each; serve: one per profile (static, other),
# shared by the IMDS server and the consumer of that profile.
if [ "${gst:-0}" = 4 ]; then
  pass "one GetSessionToken per profile and server process for every client fetch"
else
  fail "one GetSessionToken per profile and server process" "got ${gst:-0}, want 4: $(tr '\n' ' ' <"$tmp/sts.out")"
fi
ar=$(sed -n 's/^AssumeRole=//p' "$tmp/sts.out")
if [ "${ar:-0}" = 1 ]; then
  pass "one AssumeRole for every credential_process through the daemon"
else
  fail "one AssumeRole through the daemon" "got ${ar:-0}: $(tr '\n' ' ' <"$tmp/sts.out")"
fi
summary
