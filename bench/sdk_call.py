"""One get_current_user call through RingCentral's official Python SDK, the
way a script would make it: import, build the client, call, print."""
import os
import sys

from ringcentral import SDK

sdk = SDK("bench-client", "bench-secret", os.environ["RC_SERVER_URL"])
platform = sdk.platform()
# The simulator's static token stands in for a login.
platform.auth().set_data({
    "access_token": os.environ["RC_ACCESS_TOKEN"],
    "token_type": "bearer",
    "expires_in": 3600,
    "refresh_token": "unused",
    "refresh_token_expires_in": 3600,
})
response = platform.get("/restapi/v1.0/account/~/extension/~")
sys.stdout.write(response.text() + "\n")
