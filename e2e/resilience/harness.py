"""Real processes for the resilience tests: the built `incentives` binary started and stopped by PID, PostgreSQL
clusters of their own (initdb --no-sync in a temp folder, on 127.0.0.1, stopped and started at will), and a small
JSON client for the API. Nothing here is mocked: the server, the databases and the sockets are the real ones.
Environment: INCENTIVES_BIN (the built binary), PG_BIN (PostgreSQL's bin folder)."""
from __future__ import annotations

import glob
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("INCENTIVES_BIN", str(ROOT / ".build" / "debug" / "incentives"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, what: str, limit: float = 120.0, every: float = 0.1):
    """Polls `predicate` until it returns something truthy; fails with `what` after `limit` seconds (a hang guard,
    not a measurement)."""
    deadline = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(every)


def pg_bin() -> str:
    if os.environ.get("PG_BIN"):
        return os.environ["PG_BIN"]
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (scripts/test.sh installs it)")
    return found[-1]


class Postgres:
    """A PostgreSQL cluster of the test's own, which it may stop and start again like an operator would."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="incentives-resilience-pg."))
        self.port = free_port()
        self.bin = pg_bin()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            subprocess.run(["chown", "postgres", str(self.dir)], check=True)
        subprocess.run(self.as_postgres + [f"{self.bin}/initdb", "--no-sync", "-A", "trust", "-U", "postgres",
                                           "-D", str(self.dir / "data")], check=True, stdout=subprocess.DEVNULL)
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self):
        log = open(self.dir / "log", "ab")
        self.process = subprocess.Popen(self.as_postgres + [f"{self.bin}/postgres", "-D", str(self.dir / "data"), "-h", "127.0.0.1",
                                                            "-p", str(self.port), "-k", str(self.dir), "-c", "fsync=off",
                                                            "-c", "max_connections=200"], stdout=log, stderr=log)
        wait_until(lambda: subprocess.run([f"{self.bin}/pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"]).returncode == 0,
                   "PostgreSQL to accept connections", limit=30)

    def stop(self):
        """A fast shutdown, as `pg_ctl stop -m fast` does: open connections are ended at once. The signal goes to the
        postmaster itself (its PID is the first line of postmaster.pid), not to the runuser that started it."""
        if self.process and self.process.poll() is None:
            postmaster = int((self.dir / "data" / "postmaster.pid").read_text().split()[0])
            os.kill(postmaster, signal.SIGINT)
            self.process.wait(timeout=60)
        self.process = None

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self.sql("postgres", f"CREATE DATABASE {name}")
        return self.url(name)

    def sql(self, database: str, statement: str) -> list[list[str]]:
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-At", "-F", "\t",
                              "-v", "ON_ERROR_STOP=1", "-c", statement], check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def close(self):
        self.stop()
        subprocess.run(["rm", "-rf", str(self.dir)])


@dataclass
class Server:
    """`incentives serve` on a free port of 127.0.0.1, with its own folder for mail and uploads."""
    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    demo: bool = True
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="incentives-resilience.")))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": self.database_url, "MAIL_DROP_DIR": str(self.folder / "mail"),
                "UPLOAD_DIR": str(self.folder / "uploads"), "API_RATE_LIMIT": "1000000", **self.env}

    def start(self):
        self.log = open(self.folder / "server.log", "ab")
        args = [BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port)] + (["--demo"] if self.demo else [])
        self.process = subprocess.Popen(args, env=self.environment(), stdout=self.log, stderr=self.log)

        def healthy():
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                return get(self.base_url, "/health", timeout=2).status == 200
            except OSError:
                return False
        wait_until(healthy, "the server's /health", limit=180)
        return self

    def kill9(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, limit: float = 30.0) -> int:
        """SIGTERM, as an orchestrator stops an instance; returns the exit status (fails if it does not stop)."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"the server did not stop within {limit} s of SIGTERM:\n{self.log_tail()}")

    def cli(self, *args: str, stdin: str | None = None) -> str:
        return subprocess.run([BIN, *args], env=self.environment(), input=stdin, check=True, capture_output=True, text=True).stdout

    def token(self, email: str, scope: str = "write") -> str:
        out = self.cli("tokens", "create", "--user", email, "--scope", scope, "--name", "resilience")
        return next(line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("Token (shown only now): "))

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join((self.folder / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        # Shown by pytest with a failed test's output.
        print(f"--- server log ({self.base_url}), last lines:\n{self.log_tail(120)}")
        subprocess.run(["rm", "-rf", str(self.folder)])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def request(base_url: str, method: str, path: str, token: str | None = None, body=None, timeout: float = 30.0,
            headers: dict[str, str] | None = None) -> Answer:
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = {"Accept": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=sent)
        resp = conn.getresponse()
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
    finally:
        conn.close()


def get(base_url: str, path: str, token: str | None = None, timeout: float = 30.0) -> Answer:
    return request(base_url, "GET", path, token=token, timeout=timeout)


def sqlite_rows(path: str, statement: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(statement).fetchall()


# What must hold of any database after anything: each claim's status is where its history last took it, and the
# claims list's counts (kept by triggers) agree with the claims.
CONTRADICTIONS = """
    SELECT COUNT(*) FROM claims c
    WHERE c.status <> (SELECT h.to_status FROM claim_history h WHERE h.claim_id = c.id ORDER BY h.id DESC LIMIT 1)
"""
COUNT_DRIFT = """
    SELECT COUNT(*) FROM (
      SELECT k.n AS kept, (SELECT COUNT(*) FROM claims c WHERE c.organization_id = k.organization_id AND c.location_id = k.location_id
                           AND c.engagement_id = k.engagement_id AND c.solution_area_id = k.solution_area_id AND c.kind = k.kind
                           AND c.status = k.status) AS counted
      FROM claim_counts k) t
    WHERE kept <> counted
"""


class Visitor:
    """A browser's part of HTTP for the pages: e2e/support.py's request, with the cookies it is given kept and the
    form token read off the sign-in page."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        from support import http_request  # e2e/ is on the path under pytest (its conftest.py)
        result = http_request(self.base_url, method, path, cookies=self.cookies, form=form)
        for value in result.headers.get_all("Set-Cookie") or []:
            key, _, rest = value.partition("=")
            self.cookies[key] = rest.split(";", 1)[0]
        return Answer(result.status, {k.lower(): v for k, v in result.headers.items()}, result.body.encode())

    def sign_in(self, email: str, password: str = "demo-password"):
        import re
        page = self.send("GET", "/login").body.decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = self.send("POST", "/login", {"csrf_token": token, "email": email, "password": password})
        assert answer.status == 303, f"sign-in answered {answer.status}"
        return self
