"""`incentives backup` of the SQLite file while `serve` answers requests and other writers write, `restore` into an
empty path, then `serve` on the restored file: it answers with the data of the backup's instant."""
from __future__ import annotations

import filecmp
import json
import os
import re
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path

from harness import BIN, SEED_NOW, WORKDIR, SQLiteDatabase, incentives, refused

TICKS = "CREATE TABLE backup_ticks (n INTEGER NOT NULL, part TEXT NOT NULL)"


class Server:
    """`incentives serve --demo` on a port of its own, stopped by its PID."""

    def __init__(self, database_url: str, folder: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        folder.mkdir(parents=True, exist_ok=True)
        # The reading thread asks as fast as the server answers: its token's limit (600 a minute by default) is raised
        # so that what is counted is whether the server answers during the backup, not how fast it got (kept SQLite
        # statements made it pass 600 within the test's minute: 429s).
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
                       "DATABASE_URL": database_url, "MAIL_DROP_DIR": str(folder / "mail"), "UPLOAD_DIR": str(folder / "uploads"),
                       "API_RATE_LIMIT": "1000000000"}
        self.log = open(folder / "server.log", "wb")
        self.process = subprocess.Popen([BIN, "serve", "--demo", "--host", "127.0.0.1", "--port", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=environment, cwd=WORKDIR)
        deadline = time.monotonic() + 120
        while self.get("/health")[0] != 200:
            assert self.process.poll() is None and time.monotonic() < deadline, (folder / "server.log").read_text()
            time.sleep(0.1)

    def get(self, path: str, token: str | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}",
                                         headers={"Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def ticking(path: Path, stop: threading.Event, done: list[int]):
    """Another writer on the same file: each transaction adds both rows of one tick, or neither."""
    with closing(sqlite3.connect(path, timeout=30)) as connection:
        n = 0
        while not stop.is_set():
            n += 1
            with connection:
                connection.execute("INSERT INTO backup_ticks VALUES (?, 'a')", (n,))
                connection.execute("INSERT INTO backup_ticks VALUES (?, 'b')", (n,))
            done.append(n)
            time.sleep(0.005)


def reading(server: Server, token: str, stop: threading.Event, answers: list[int]):
    """API traffic: each request reads the user and writes the token's last use."""
    while not stop.is_set():
        answers.append(server.get("/api/v1/me", token)[0])


def wait_for(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


def test_backup_under_traffic_restore_and_serve_the_copy(demo, tmp_path):
    created = incentives(demo, "tokens", "create", "--user", "manager@vendor.example", "--scope", "read")
    token = re.search(r"(pi_[A-Za-z0-9]+)", created.out).group(1)
    demo.execute(TICKS)
    backup = tmp_path / "backups" / "incentives-backup.sqlite"
    backup.parent.mkdir()
    server = Server(demo.url, tmp_path / "serve")
    stop, ticks, answers = threading.Event(), [], []
    threads = [threading.Thread(target=ticking, args=(demo.path, stop, ticks)),
               threading.Thread(target=reading, args=(server, token, stop, answers))]
    # A third writer: 2,000 claims in one transaction, in the database or not at the backup's instant.
    seeding = subprocess.Popen([BIN, "seed", "--scale", "2000", "--now", SEED_NOW, "--progress", "none"], cwd=WORKDIR,
                               env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "DATABASE_URL": demo.url},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for thread in threads:
            thread.start()
        wait_for(lambda: len(ticks) >= 10 and answers.count(200) >= 5, "traffic")
        before = len(ticks)
        taken = incentives(demo, "backup", "--to", str(backup), "--progress", "lines")
        after = len(ticks)
        wait_for(lambda: len(ticks) >= after + 10, "ticks after the backup")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert seeding.wait(timeout=300) == 0, seeding.stderr.read()
        server.stop()
    assert taken.status == 0, str(taken)
    assert re.fullmatch(rf"Backed up sqlite:{re.escape(str(demo.path))} to {re.escape(str(backup))}: [\d.]+ MiB, migration \d+, "
                        r"integrity ok\.\n", taken.out), taken.out
    assert taken.err and all(line.startswith("progress: ") for line in taken.err.splitlines()), taken.err
    assert set(answers) == {200}, f"the server answered every request during the backup: {set(answers)}"
    assert sorted(os.listdir(backup.parent)) == [backup.name], "no temporary file and no log beside the backup"

    # One instant: whole ticks in order, the 2,000 claims all or none, the claim counts kept by triggers agreeing.
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = copy.execute("SELECT n, COUNT(*) FROM backup_ticks GROUP BY n ORDER BY n").fetchall()
        assert [n for n, _ in rows] == list(range(1, len(rows) + 1)) and all(count == 2 for _, count in rows)
        assert before <= len(rows) <= after, (before, len(rows), after)
        claims = copy.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        assert claims in (200, 2200), claims
        assert copy.execute("SELECT SUM(n) FROM claim_counts").fetchone()[0] == claims
        tables = copy.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]

    restored = SQLiteDatabase(tmp_path / "restored")  # a path in a folder that does not exist yet
    done = incentives(restored, "restore", "--from", str(backup))
    assert done.status == 0 and done.err == "", str(done)
    assert re.fullmatch(rf"Restored {re.escape(str(backup))} to {re.escape(str(restored.path))}: [\d.]+ MiB, migration \d+, integrity ok\. "
                        rf"Serve it with DATABASE_URL=sqlite:{re.escape(str(restored.path))}\.\n", done.out), done.out
    assert filecmp.cmp(backup, restored.path, shallow=False)
    assert sorted(os.listdir(restored.path.parent)) == ["incentives.sqlite"]

    again = Server(restored.url, tmp_path / "serve-restored")
    try:
        status, body = again.get("/api/v1/me", token)
        assert status == 200, body
        assert json.loads(body)["email"] == "manager@vendor.example"
    finally:
        again.stop()
    assert int(restored.rows("SELECT COUNT(*) FROM claims")[0][0]) == claims
    assert int(restored.rows("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")[0][0]) == tables


def test_backup_and_restore_refuse_what_they_must(demo, tmp_path):
    target = tmp_path / "taken.sqlite"
    target.write_bytes(b"keep me")
    refused(incentives(demo, "backup", "--to", str(target)), "taken.sqlite exists already", "never overwrites")
    assert target.read_bytes() == b"keep me"
    refused(incentives(demo, "backup", "--to", str(tmp_path / "no" / "b.sqlite")), "does not exist")
    refused(incentives(demo, "restore", "--from", str(target)), "is not a SQLite database")
    backup = tmp_path / "b.sqlite"
    assert incentives(demo, "backup", "--to", str(backup)).status == 0
    # The demo's own file holds a database: restoring over it is refused, and it is left as it was.
    before = demo.snapshot()
    refused(incentives(demo, "restore", "--from", str(backup)), "holds a database already", "empty path")
    assert demo.snapshot() == before
    refused(incentives(f"sqlite:{tmp_path / 'missing.sqlite'}", "backup", "--to", str(tmp_path / "c.sqlite")), "no database at")
    assert not (tmp_path / "missing.sqlite").exists()
    postgres = "postgres://postgres@127.0.0.1:1/none"
    refused(incentives(postgres, "backup", "--to", str(tmp_path / "p.sqlite")), "PostgreSQL", "pg_dump -Fc", "Back up and restore")
    refused(incentives(postgres, "restore", "--from", str(backup)), "pg_restore", "--to")
    left = os.listdir(tmp_path)
    assert not [name for name in left if "incomplete" in name] and {"c.sqlite", "p.sqlite"}.isdisjoint(left), left
