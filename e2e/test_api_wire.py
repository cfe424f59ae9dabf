"""The API on the wire, as a client that was not generated from the contract sees it (http.client): a claim's ETag
is its version as an RFC 9110 entity tag ("3"), the form the README and the contract give, and If-Match takes it
back. The token comes from the `incentives tokens create` command on the server's database."""
import http.client
import json
import os
import re
import subprocess
import urllib.parse

from support import unavailable


def write_token(email: str) -> str:
    database, binary = os.environ.get("E2E_DATABASE_URL"), os.environ.get("E2E_BIN")
    if not database or not binary:
        unavailable("E2E_DATABASE_URL and E2E_BIN come from scripts/e2e.sh")
    made = subprocess.run([binary, "tokens", "create", "--user", email, "--scope", "write", "--name", "wire test"],
                          env={**os.environ, "DATABASE_URL": database}, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    return re.search(r"^Token \(shown only now\): (\S+)$", made.stdout, re.M).group(1)


def call(base_url: str, method: str, path: str, token: str, headers: dict[str, str] | None = None, body=None):
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    sent = {"Authorization": f"Bearer {token}", **(headers or {})}
    data = None
    if body is not None:
        data, sent["Content-Type"] = json.dumps(body), "application/json"
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return response.status, response.headers, json.loads(response.read() or b"null")
    finally:
        conn.close()


def test_the_etag_is_the_quoted_version_and_if_match_takes_it_back(base_url):
    token = write_token("admin@bluefin.example")
    status, headers, claim = call(base_url, "GET", "/api/v1/claims/1", token)
    assert status == 200, claim
    assert headers["ETag"] == f'"{claim["version"]}"', headers["ETag"]

    # A stale version is refused and changes nothing (the current one would run the action).
    stale = f'"{claim["version"] - 1}"'
    status, _, problem = call(base_url, "POST", "/api/v1/claims/1/cancel", token, {"If-Match": stale}, {})
    assert status == 409 and problem["type"] == "/api/docs#problem-version-conflict", problem
    status, headers, again = call(base_url, "GET", "/api/v1/claims/1", token)
    assert again["version"] == claim["version"] and headers["ETag"] == f'"{claim["version"]}"'
