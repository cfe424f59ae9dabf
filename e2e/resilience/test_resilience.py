"""Crash, outage and restart: the built server killed with SIGKILL in the middle of a burst of writes, its PostgreSQL
stopped and started under load, and stopped with SIGTERM afterwards. Run by scripts/resilience.sh (which
scripts/test.sh calls); each test starts its own processes and databases and stops them by PID.
No assertion is about speed: waits have generous limits only so that a hang fails instead of blocking CI."""
from __future__ import annotations

import threading
import time
import uuid

import pytest

from harness import (CONTRADICTIONS, COUNT_DRIFT, Postgres, Server, Visitor, get, request, sqlite_rows, wait_until)


@pytest.fixture(scope="module")
def postgres():
    cluster = Postgres()
    yield cluster
    cluster.close()


def database(kind: str, postgres: Postgres, tmp_path) -> tuple[str, callable]:
    """A fresh database of the kind, and a function that runs one SQL query on it and returns the rows."""
    if kind == "sqlite":
        path = str(tmp_path / "incentives.sqlite")
        return f"sqlite:{path}", lambda q: [list(map(str, row)) for row in sqlite_rows(path, q)]
    name = f"crash_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(name)
    return url, lambda q: postgres.sql(name, q)


class Burst:
    """Writers at full speed through the API: a reviewer moving claims on (start review, approve, ask for more) and a
    partner commenting. Only what the server acknowledged (a 2xx) is recorded; the burst ends when the server dies."""

    def __init__(self, server: Server, reviewer: str, partner: str, review_ids: list[int], comment_ids: list[int]):
        self.server, self.reviewer, self.partner = server, reviewer, partner
        self.review_ids, self.comment_ids = list(review_ids), list(comment_ids)
        self.lock = threading.Lock()
        self.actions: list[tuple[int, str, str]] = []  # claim, history action, status it reached
        self.comments: list[tuple[int, str]] = []
        self.stopped = threading.Event()

    @property
    def acknowledged(self) -> int:
        with self.lock:
            return len(self.actions) + len(self.comments)

    def next_review(self) -> int | None:
        with self.lock:
            return self.review_ids.pop() if self.review_ids else None

    def reviewer_loop(self):
        while not self.stopped.is_set():
            claim = self.next_review()
            if claim is None:
                return
            for path, action, body in (("start-review", "start_review", {}), ("approve", "approve", {}) if claim % 2 else
                                       ("request-information", "request_information", {"reason_code": "missing_poe", "note": "More, please."})):
                try:
                    answer = request(self.server.base_url, "POST", f"/api/v1/claims/{claim}/{path}", token=self.reviewer, body=body, timeout=10)
                except OSError:
                    self.stopped.set()
                    return
                if answer.status != 200:
                    break
                with self.lock:
                    self.actions.append((claim, action, answer.json()["status"]))

    def partner_loop(self, k: int):
        n = 0
        while not self.stopped.is_set():
            claim = self.comment_ids[(k + n) % len(self.comment_ids)]
            body = f"resilience {uuid.uuid4().hex}"
            n += 1
            try:
                answer = request(self.server.base_url, "POST", f"/api/v1/claims/{claim}/comments", token=self.partner,
                                 body={"body": body}, timeout=10)
            except OSError:
                self.stopped.set()
                return
            if answer.status == 201:
                with self.lock:
                    self.comments.append((claim, body))

    def run_until_killed(self, after: int):
        threads = [threading.Thread(target=self.reviewer_loop) for _ in range(3)]
        threads += [threading.Thread(target=self.partner_loop, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        wait_until(lambda: self.acknowledged >= after or not any(t.is_alive() for t in threads), f"{after} acknowledged writes")
        self.server.kill9()
        self.stopped.set()
        for t in threads:
            t.join(timeout=30)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_kill_9_in_a_burst_of_claim_actions_loses_nothing_acknowledged(kind, postgres, tmp_path):
    url, sql = database(kind, postgres, tmp_path)
    server = Server(url).start()
    try:
        reviewer, partner = server.token("reviewer@vendor.example"), server.token("admin@bluefin.example")
        review_ids = [int(r[0]) for r in sql("SELECT id FROM claims WHERE status = 'submitted' ORDER BY id")]
        comment_ids = [int(r[0]) for r in sql("SELECT id FROM claims WHERE organization_id = 1 ORDER BY id LIMIT 40")]
        assert len(review_ids) >= 10 and comment_ids
        burst = Burst(server, reviewer, partner, review_ids, comment_ids)
        burst.run_until_killed(after=120)
        assert burst.acknowledged >= 20, "the burst wrote something before the kill"

        server.start()  # the same database, after the crash
        for claim, action, status in burst.actions:
            history = get(server.base_url, f"/api/v1/claims/{claim}/history", token=reviewer).json()["history"]
            assert any(h["action"] == action and h["to_status"] == status for h in history), \
                f"claim {claim}: acknowledged {action} → {status} is missing after the restart"
        by_claim: dict[int, set[str]] = {}
        for claim, body in burst.comments:
            if claim not in by_claim:
                by_claim[claim] = {c["body"] for c in get(server.base_url, f"/api/v1/claims/{claim}/comments", token=partner).json()["comments"]}
            assert body in by_claim[claim], f"claim {claim}: an acknowledged comment is missing after the restart"
        if kind == "sqlite":
            assert sql("PRAGMA integrity_check") == [["ok"]]
            assert sql("PRAGMA foreign_key_check") == []
        assert sql(CONTRADICTIONS) == [["0"]], "a claim's status contradicts its history"
        assert sql(COUNT_DRIFT) == [["0"]], "the claims list's counts disagree with the claims"
        assert server.terminate() == 0
    finally:
        server.close()


def test_postgres_outage_answers_503_recovers_without_a_restart_and_still_stops(postgres):
    url = postgres.create_database(f"outage_{uuid.uuid4().hex[:12]}")
    server = Server(url).start()
    try:
        token = server.token("admin@bluefin.example", scope="read")
        assert get(server.base_url, "/api/v1/claims?per=25", token=token).status == 200
        visitor = Visitor(server.base_url).sign_in("admin@bluefin.example")
        assert visitor.send("GET", "/claims").status == 200
        statuses: list[int] = []
        running = threading.Event()
        running.set()

        started = time.monotonic()
        failures: list[str] = []

        def load():
            while running.is_set():
                sent = time.monotonic()
                try:
                    statuses.append(get(server.base_url, "/api/v1/claims?per=25", token=token, timeout=60).status)
                except OSError as error:  # a hang or a dropped connection is a failure of its own kind
                    statuses.append(-1)
                    failures.append(f"sent at {sent - started:.1f} s, failed after {time.monotonic() - sent:.1f} s: {error!r}")

        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        wait_until(lambda: len(statuses) > 20, "load before the outage")
        outage = time.monotonic()
        postgres.stop()
        during = len(statuses)
        wait_until(lambda: statuses[during:].count(503) >= 8, "503 answers while PostgreSQL is down", limit=120)
        down = get(server.base_url, "/api/v1/claims?per=25", token=token, timeout=60)
        assert down.status == 503
        assert down.headers["content-type"].startswith("application/problem+json")
        assert "database" in down.json()["detail"].lower()
        assert down.headers.get("retry-after") == "10"
        page = visitor.send("GET", "/claims")
        assert page.status == 503, "a signed-in page says the database is not answering"
        assert b"The database is not answering" in page.body and page.headers.get("retry-after") == "10"

        postgres.start()
        back = time.monotonic()
        wait_until(lambda: get(server.base_url, "/api/v1/claims?per=25", token=token, timeout=60).status == 200,
                   "the app to serve again once PostgreSQL is back", limit=120)
        assert visitor.send("GET", "/claims").status == 200, "the same session serves pages again"
        running.clear()
        for w in workers:
            w.join(timeout=90)
        assert not failures, f"every request was answered: {failures} (outage from {outage - started:.1f} s to {back - started:.1f} s)"
        assert set(statuses) <= {200, 503}, f"every answer was a page or a clear 503: {sorted(set(statuses))}"
        # A client that never finishes its request does not hold the stop up either.
        import socket
        dawdler = socket.create_connection(("127.0.0.1", server.port))
        dawdler.sendall(b"GET /claims HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert server.terminate() == 0, "stopped cleanly on SIGTERM after the outage"
        dawdler.close()
    finally:
        server.close()


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 204 and remembers every request's Webhook-Id."""

    def __init__(self):
        import http.server

        received = self.received = []
        lock = self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with lock:
                    received.append(self.headers["Webhook-Id"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_two_instances_sweep_mail_and_deliver_webhooks_exactly_once(postgres, tmp_path):
    import datetime

    name = f"twin_{uuid.uuid4().hex[:12]}"
    url = postgres.create_database(name)
    sql = lambda q: postgres.sql(name, q)  # noqa: E731
    # The demo and synthetic claims as of 40 days ago: by now many of their deadlines have passed, others are near.
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%SZ")
    setup = Server(url, demo=False)
    setup.cli("seed", "--demo", "--scale", "2000", "--now", past)
    due = int(sql("SELECT COUNT(*) FROM claims WHERE expires_at <= NOW()")[0][0])
    assert due > 100, "the sweepers have work to share"

    receiver = Receiver()
    sql(f"""INSERT INTO webhook_endpoints (organization_id, url, description, secret, enabled, created_at)
            VALUES (NULL, '{receiver.url}', 'resilience', 'whsec_{uuid.uuid4().hex}', TRUE, NOW())""")
    sql("""INSERT INTO webhook_endpoint_events (endpoint_id, event_type)
           SELECT id, t FROM webhook_endpoints, (VALUES ('claim.status_changed'), ('claim.deadline_approaching')) AS v(t)""")
    mail = tmp_path / "sent"
    mail.mkdir()
    sendmail = tmp_path / "sendmail"
    sendmail.write_text(f'#!/bin/sh\ncat > "{mail}/$(date +%s%N).$$.eml"\n')
    sendmail.chmod(0o755)
    env = {"SWEEP_INTERVAL_SECONDS": "1", "MAIL_POLL_SECONDS": "1", "WEBHOOK_POLL_SECONDS": "1", "WEBHOOK_ALLOW_LOCAL": "1",
           "MAIL_TRANSPORT": "sendmail", "SENDMAIL_PATH": str(sendmail)}
    twins = [Server(url, env=env, demo=False), Server(url, env=env, demo=False)]
    try:
        for twin in twins:
            twin.start()

        def settled():
            left = sql("""SELECT (SELECT COUNT(*) FROM claims WHERE expires_at <= NOW())
                                 + (SELECT COUNT(*) FROM mail_outbox WHERE status IN ('pending', 'sending'))
                                 + (SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending')""")
            return int(left[0][0]) == 0
        wait_until(settled, "both instances to expire, mail and deliver everything due", limit=600, every=1)
        for twin in twins:
            assert twin.terminate() == 0
    finally:
        for twin in twins:
            twin.close()
        receiver.close()

    assert sql("""SELECT COUNT(*) FROM (SELECT claim_id, from_status FROM claim_history WHERE action = 'expire'
                                        GROUP BY claim_id, from_status, at HAVING COUNT(*) > 1) t""") == [["0"]], "a claim expired twice"
    assert int(sql("SELECT COUNT(*) FROM claim_history WHERE action = 'expire'")[0][0]) >= due
    assert sql(CONTRADICTIONS) == [["0"]]
    assert sql(COUNT_DRIFT) == [["0"]]
    # Mail: one message per outbox row, none twice.
    sent = int(sql("SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'")[0][0])
    files = list(mail.iterdir())
    ids = [line for f in files for line in f.read_text(errors="replace").splitlines() if line.lower().startswith("message-id:")]
    assert sent > 0 and len(files) == sent, f"{len(files)} messages handed to sendmail for {sent} sent outbox rows"
    assert len(set(ids)) == len(ids) == sent, "a message went out twice"
    assert sql("""SELECT COUNT(*) FROM (SELECT claim_id, to_address, subject FROM mail_outbox WHERE kind = 'reminder'
                                        GROUP BY claim_id, to_address, subject HAVING COUNT(*) > 1) t""") == [["0"]], "a reminder twice"
    # Webhooks: every delivery once.
    delivered = int(sql("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'")[0][0])
    assert delivered > 0 and len(receiver.received) == delivered, f"{len(receiver.received)} requests for {delivered} deliveries"
    assert len(set(receiver.received)) == delivered, "an event was delivered twice"
