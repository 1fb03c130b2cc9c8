# Fetches credentials with botocore's default chain and prints
# "<method> <access key id>"; the environment says where to look.
import sys

import botocore.session

c = botocore.session.get_session().get_credentials()
if c is None:
    sys.exit("botocore: no credentials found")
f = c.get_frozen_credentials()
if not f.token:
    sys.exit("botocore: no session token")
print(c.method, f.access_key)
