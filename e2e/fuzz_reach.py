"""Fails unless the API fuzzer reached real claims: reads the HAR reports of e2e/api_fuzz.sh's schemathesis runs and
checks that every per-claim operation of the contract (`/claims/{id}/...`) got, at least once, an answer that only
a loaded claim can give: a 2xx, or a refusal of the claim itself (not allowed in its status, a stale version, not
the caller's role, not a valid document). 404s and refusals before any claim is read (400, 401, 403, a reused
idempotency key) do not count. Usage: fuzz_reach.py CONTRACT.yaml RUN.har..."""
import json
import re
import sys
from collections import Counter

import yaml

REACHED = {"action-not-allowed", "version-conflict", "role-not-allowed", "invalid-document"}


def per_claim_operations(contract_path: str) -> dict[str, re.Pattern]:
    contract = yaml.safe_load(open(contract_path))
    found = {}
    for path, item in contract["paths"].items():
        if not path.startswith("/claims/{id}"):
            continue
        pattern = re.compile("/api/v1" + re.escape(path).replace(r"\{id\}", r"\d+") + r"(\?.*)?$")
        for method in item:
            found[f"{method.upper()} {path}"] = (method.upper(), pattern)
    return found


def reached(entry) -> bool:
    status = entry["response"]["status"]
    if 200 <= status < 300:
        return True
    try:
        problem = json.loads(entry["response"]["content"].get("text") or "{}")
    except ValueError:
        return False
    return isinstance(problem, dict) and str(problem.get("type", "")).rpartition("#problem-")[2] in REACHED


def main(contract_path: str, hars: list[str]) -> int:
    operations = per_claim_operations(contract_path)
    answers = {name: Counter() for name in operations}
    for har in hars:
        for entry in json.load(open(har))["log"]["entries"]:
            request = entry["request"]
            path = "/" + request["url"].split("/", 3)[3]
            for name, (method, pattern) in operations.items():
                if request["method"] == method and pattern.match(path):
                    answers[name]["reached" if reached(entry) else "not"] += 1
    missed = [name for name, counts in answers.items() if not counts["reached"]]
    for name, counts in sorted(answers.items()):
        print(f"{name}: {counts['reached']} of {counts['reached'] + counts['not']} requests reached a claim")
    if missed:
        print(f"the fuzzer reached no claim through: {', '.join(sorted(missed))}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
