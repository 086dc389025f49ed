"""N get_current_user calls through RingCentral's official Python SDK under
enforced rate limits, the way its docs advise a script to handle them: on a
429, wait Retry-After seconds and try again. Prints one JSON line: the loop's
seconds and how many 429s it got. Two such loops on one user can keep restarting each other's
penalty for ever, so the loop gives up after argv[2] seconds and says how many
calls it completed."""
import json
import os
import sys
import time

from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

calls = int(sys.argv[1])
give_up_after = float(sys.argv[2])
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
throttled = 0
completed = 0
started = time.monotonic()
for _ in range(calls):
    if time.monotonic() - started > give_up_after:
        break
    while time.monotonic() - started <= give_up_after:
        try:
            platform.get("/restapi/v1.0/account/~/extension/~")
            completed += 1
            break
        except ApiException as error:
            response = error.api_response().response()
            if response.status_code != 429:
                raise
            throttled += 1
            time.sleep(float(response.headers.get("Retry-After", "30")))
print(json.dumps({"seconds": time.monotonic() - started, "throttled": throttled, "completed": completed}))
