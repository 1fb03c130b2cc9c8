// Fetches credentials with the JavaScript SDK v3's default Node.js chain
// (fromNodeProviderChain), which picks the container endpoint or IMDS
// from the environment, and prints "<AccessKeyId> <Expiration ISO>".
const { fromNodeProviderChain } = require("@aws-sdk/credential-providers");

fromNodeProviderChain()()
  .then((c) => {
    if (!c.sessionToken || !c.expiration) throw new Error("no session token or expiration");
    console.log(c.accessKeyId, c.expiration.toISOString());
  })
  .catch((e) => {
    console.error("js: " + e.name + ": " + e.message);
    process.exit(1);
  });
