#!/usr/bin/env bash
# make demo: shows awsxc-cli working end to end with no AWS account.
# It builds awsxc-cli, writes a throwaway AWS config in a temp folder (a
# static-key profile, a session-token profile and a credential_process
# profile), runs the export modes against it, serves the credentials over
# IMDSv2 and reads them back, then removes everything it made.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
server=""
cleanup() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT

CGO_ENABLED=0 go build -trimpath -o "$tmp/bin/awsxc-cli" ./cmd/awsxc-cli

mkdir -p "$tmp/home/.aws"
cat >"$tmp/home/.aws/config" <<'CFG'
[profile demo-static]
region = eu-west-1

[profile demo-session]
region = us-east-2

[profile demo-process]
credential_process = sh -c 'printf "{\"Version\": 1, \"AccessKeyId\": \"ASIADEMOPROCESS00001\", \"SecretAccessKey\": \"demoProcessSecret\", \"SessionToken\": \"demoProcessToken\", \"Expiration\": \"%s\"}" "$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)"'
region = ap-southeast-2
CFG
cat >"$tmp/home/.aws/credentials" <<'CREDS'
# throwaway demo keys: they open nothing
[demo-static]
aws_access_key_id = AKIADEMOSTATIC000001
aws_secret_access_key = demoStaticSecret

[demo-session]
aws_access_key_id = ASIADEMOSESSION00001
aws_secret_access_key = demoSessionSecret
aws_session_token = demoSessionToken
CREDS
chmod 600 "$tmp/home/.aws/"*

export HOME="$tmp/home" PATH="$tmp/bin:$PATH" AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE

show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "awsxc demo: a throwaway AWS config in $tmp/home/.aws (removed at the end)"
show awsxc-cli profiles
show awsxc-cli --profile demo-static
show awsxc-cli --profile demo-process --json
show awsxc-cli --profile demo-session --env-export
show awsxc-cli --profile demo-process --format fish
show awsxc-cli --profile demo-process --format powershell
show awsxc-cli --profile demo-process --exec sh -c 'echo "the command sees $AWS_ACCESS_KEY_ID in $AWS_REGION, expiring $AWS_CREDENTIAL_EXPIRATION"'
show awsxc-cli --profile demo-process -c demo-exported
printf '\n(the credentials file now has [demo-exported]:)\n'
sed -n '/\[demo-exported\]/,$p' "$HOME/.aws/credentials" | sed -E 's/(secret_access_key|session_token) = .*/\1 = …/'
printf '\n\033[1m$ awsxc-cli --profile nope\033[0m   (errors are one line, with a hint)\n'
awsxc-cli --profile nope || echo "(exit $?)"

if awsxc-cli --help | grep -- '--imds' >/dev/null; then
  printf '\n\033[1m$ awsxc-cli --profile demo-process --imds 0 &\033[0m\n'
  awsxc-cli --profile demo-process --imds 0 2>"$tmp/imds.log" &
  server=$!
  url=""
  for _ in $(seq 50); do
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' "$tmp/imds.log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  cat "$tmp/imds.log"
  if [ -n "$url" ]; then
    token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "${url}latest/api/token")
    role=$(curl -fsS -H "X-aws-ec2-metadata-token: $token" "${url}latest/meta-data/iam/security-credentials/")
    printf '\n\033[1m$ curl …/latest/meta-data/iam/security-credentials/%s\033[0m  (what an SDK in a container reads)\n' "$role"
    curl -fsS -H "X-aws-ec2-metadata-token: $token" "${url}latest/meta-data/iam/security-credentials/$role" |
      sed -E 's/"(SecretAccessKey|Token)" *: *"[^"]*"/"\1":"…"/g'
    echo
  fi
fi
printf '\ndemo done: everything it made is being removed.\n'
