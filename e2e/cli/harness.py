"""The built `incentives` binary run as an operator runs it, against a database of the test's own: a fresh SQLite
file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set (created and dropped per test, as
Tests/IncentivesTestSupport/TestDatabases.swift does). A snapshot of a database's whole content shows that bad
input stored nothing. Environment: INCENTIVES_BIN (default .build/debug/incentives), TEST_DATABASE_URL."""
from __future__ import annotations

import datetime
import os
import pty
import sqlite3
import tempfile
import subprocess
import urllib.parse
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("INCENTIVES_BIN", str(ROOT / ".build" / "debug" / "incentives"))
USAGE = 64  # ArgumentParser's exit status for a command line it cannot parse (EX_USAGE)
SEED_NOW = "2026-11-25T10:00:00Z"  # the demo is seeded as of this instant, so its deadlines are known
NULL = "<<NULL>>"  # how psql prints NULL here, told apart from an empty string


@dataclass
class Result:
    status: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.status}\n--- stdout\n{self.out}--- stderr\n{self.err}"


def sql_text(query: str, params: tuple) -> str:
    """`?` placeholders filled with SQL literals (numbers and strings only), for psql."""
    parts = query.split("?")
    assert len(parts) == len(params) + 1, query
    out = [parts[0]]
    for value, rest in zip(params, parts[1:]):
        out.append(str(value) if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'")
        out.append(rest)
    return "".join(out)


class SQLiteDatabase:
    flavor = "sqlite"

    def __init__(self, folder: Path):
        self.path = folder / "incentives.sqlite"
        self.url = f"sqlite:{self.path}"

    def rows(self, query: str, *params) -> list[tuple]:
        with closing(sqlite3.connect(self.path)) as connection:
            return [tuple(None if v is None else str(v) for v in row) for row in connection.execute(query, params)]

    def execute(self, statement: str, *params) -> None:
        with closing(sqlite3.connect(self.path)) as connection, connection:
            connection.execute(statement, params)

    @staticmethod
    def instant(iso: str) -> float:
        """A time as this flavor stores it: Unix seconds on SQLite."""
        return datetime.datetime.fromisoformat(iso).timestamp()

    def snapshot(self) -> str:
        """Every table's schema and rows, as SQL text; empty when there is no database file."""
        if not self.path.exists():
            return ""
        with closing(sqlite3.connect(self.path)) as connection:
            return "\n".join(connection.iterdump())

    def drop(self):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgresDatabase:
    flavor = "postgres"

    def __init__(self, admin_url: str, template: str | None = None):
        self.admin_url = admin_url
        self.name = f"cli_{uuid.uuid4().hex[:16]}"
        psql(admin_url, f"CREATE DATABASE {self.name}" + (f" TEMPLATE {template}" if template else ""))
        self.url = urllib.parse.urlunsplit(urllib.parse.urlsplit(admin_url)._replace(path=f"/{self.name}"))

    def rows(self, query: str, *params) -> list[tuple]:
        return [tuple(None if v == NULL else v for v in row) for row in psql(self.url, sql_text(query, params))]

    def execute(self, statement: str, *params) -> None:
        psql(self.url, sql_text(statement, params))

    @staticmethod
    def instant(iso: str) -> str:
        return iso

    def snapshot(self) -> str:
        """Every table's columns, row count and a digest of its rows in a fixed order (two psql runs)."""
        columns = self.rows("SELECT table_name, column_name, data_type FROM information_schema.columns "
                            "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position")
        tables = sorted({table for table, _, _ in columns})
        digests = self.rows(" UNION ALL ".join(
            f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"
            for table in tables)) if tables else []
        return "\n".join([" ".join(row) for row in columns] + [f"{t}: {n} rows, md5 {d}" for t, n, d in digests])

    def drop(self):
        psql(self.admin_url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def psql(url: str, statement: str) -> list[list[str]]:
    out = subprocess.run(["psql", url, "-X", "-At", "-F", "\t", "-P", f"null={NULL}", "-v", "ON_ERROR_STOP=1", "-c", statement],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


# Commands run in an empty folder of their own: no .env file of this checkout is read.
WORKDIR = Path(tempfile.mkdtemp(prefix="incentives-cli."))


def incentives(database, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
               tty_stdout: bool = False, output: Path | None = None) -> Result:
    """Runs the binary with DATABASE_URL set to `database` (a URL, or one of the databases above) and nothing else of
    this machine's configuration. `stdin`: the text of standard input (none otherwise); `tty_stdout`: standard
    output is a terminal; `output`: a file that receives standard output (binary)."""
    url = database if isinstance(database, str) else database.url
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
                   "LANG": "C.UTF-8", "DATABASE_URL": url, **(env or {})}
    streams = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    terminal = None
    if tty_stdout:
        terminal, streams["stdout"] = pty.openpty()
    elif output is not None:
        streams["stdout"] = open(output, "wb")
    else:
        streams["stdout"] = subprocess.PIPE
    try:
        done = subprocess.run([BIN, *args], stderr=subprocess.PIPE, env=environment, cwd=WORKDIR, text=True, timeout=300,
                              **streams)
    finally:
        if terminal is not None:
            os.close(streams["stdout"])
        elif output is not None:
            streams["stdout"].close()
    out = done.stdout or ""
    if terminal is not None:
        out = read_all(terminal)
    return Result(done.returncode, out, done.stderr)


def read_all(terminal: int) -> str:
    """What the child wrote to its terminal (it has exited, so no more will come)."""
    os.set_blocking(terminal, False)
    chunks = []
    try:
        while chunk := os.read(terminal, 65_536):
            chunks.append(chunk)
    except (BlockingIOError, OSError):  # nothing left, or the other side is closed
        pass
    os.close(terminal)
    return b"".join(chunks).decode(errors="replace")


def refused(result: Result, *words: str) -> str:
    """Asserts that the command failed as the README promises for bad input: exit status 1, nothing on standard
    output, and one line on standard error that names the problem (`words`); returns that line."""
    assert result.status == 1, str(result)
    assert result.out == "", str(result)
    lines = result.err.splitlines()
    assert len(lines) == 1 and result.err.endswith("\n"), f"not one line on stderr:\n{result}"
    line = lines[0]
    assert line.startswith("Error: "), line
    for word in words:
        assert word in line, f"{word!r} not in {line!r}"
    # A sentence for a person, not a type dump.
    for leak in ("StoreError", "CLIError", "invalid(field:", "PSQLError", "Optional(", "\\n"):
        assert leak not in line, line
    return line


def usage_error(result: Result, *words: str) -> None:
    """ArgumentParser's refusal of a command line: its usage status, an `Error:` first line, then the usage."""
    assert result.status == USAGE, str(result)
    assert result.out == "", str(result)
    first = result.err.splitlines()[0] if result.err else ""
    assert first.startswith("Error: "), str(result)
    for word in words:
        assert word in first, f"{word!r} not in {first!r}"
