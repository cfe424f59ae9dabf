"""`incentives serve` on a fresh database, as a vendor first runs it: the banner says how to make the first program
manager, and says it no more once one exists."""
from __future__ import annotations

import os
import select
import socket
import subprocess
import time

from conftest import BOTH
from harness import BIN, WORKDIR, incentives

HINT = "No program manager yet. Create the first one"


def banner(database) -> str:
    """What `serve` prints before it listens, on a port of its own; the server is stopped by its PID."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
                   "LANG": "C.UTF-8", "DATABASE_URL": database.url, "MAIL_DROP_DIR": str(WORKDIR / "mail")}
    server = subprocess.Popen([BIN, "serve", "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=environment, cwd=WORKDIR, bufsize=0)
    out = b""
    try:
        # The banner is one write: read until its mail line is in and the output has been quiet for a second.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready = select.select([server.stdout], [], [], 1.0)[0]
            if ready:
                chunk = os.read(server.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
            elif b"Emails are" in out:
                break
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out.decode()


@BOTH
def test_a_fresh_database_says_how_to_make_the_first_program_manager(empty):
    assert incentives(empty, "migrate").status == 0
    first = banner(empty)
    assert HINT in first, first
    assert "incentives users add --email you@vendor.example --name \"Your Name\" --vendor program_manager" in first
    added = incentives(empty, "users", "add", "--email", "pm@vendor.example", "--name", "Robin Park", "--vendor", "program_manager")
    assert added.status == 0, str(added)
    again = banner(empty)
    assert "partner-incentives on http://127.0.0.1:" in again and HINT not in again, again
