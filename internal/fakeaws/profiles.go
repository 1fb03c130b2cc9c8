package fakeaws

// SourceConfig and SourceCredentials are AWS files for tests of a
// Source and of the servers on it: a static IAM user, one with MFA, a
// session-token profile, a role from the static user, a profile without
// a region and another one. Their profiles call the STS that
// [WithEndpoint] or [Server.Files] points them at.
const (
	SourceConfig = `[profile static]
region = eu-west-1
[profile mfa]
region = eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/alice
[profile session]
region = us-west-2
[profile role]
role_arn = arn:aws:iam::210987654321:role/Deploy
source_profile = static
region = eu-central-1
[profile noregion]
[profile other]
region = ap-south-1
`
	SourceCredentials = `[static]
aws_access_key_id = AKIASTATICEXAMPLE0001
aws_secret_access_key = staticsecret
[mfa]
aws_access_key_id = AKIAMFAEXAMPLE000001
aws_secret_access_key = mfasecret
[session]
aws_access_key_id = ASIASESSIONEXAMPLE01
aws_secret_access_key = sessionsecret
aws_session_token = sessiontoken
[noregion]
aws_access_key_id = AKIANOREGIONEXAMPLE1
aws_secret_access_key = noregionsecret
[other]
aws_access_key_id = AKIAOTHEREXAMPLE0001
aws_secret_access_key = othersecret
`
)
