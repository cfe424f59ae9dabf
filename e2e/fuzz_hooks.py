"""schemathesis hooks for e2e/api_fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

- Generated Idempotency-Key values shrink to a few short strings ("0", "!"), and a key the token already used for
  another request is rightly refused with 422: in a first run most POSTs never reached the claim. The key of a valid
  (positive) case is therefore replaced by a fresh one per call. Replays and reused keys are tested by the Swift API
  tests.
- A header value's surrounding whitespace is not part of it (RFC 9110, 5.5): the server never sees it. A generated
  value with some (`*` and 100 spaces "violates maxLength" but arrives as `*`) is sent without it, and schemathesis
  judges the value that is sent.
Other changes to negative cases are avoided: schemathesis re-classifies an edited case (and then sends a header it
meant to leave out)."""
import itertools
import re

import schemathesis

VALID_KEY = re.compile(r"[\x21-\x7E]{1,200}")  # the contract's pattern for Idempotency-Key
_calls = itertools.count(1)


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if isinstance(value, str) and value != value.strip(" \t"):
            headers[name] = value.strip(" \t")
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = f"fuzz-{next(_calls)}"
