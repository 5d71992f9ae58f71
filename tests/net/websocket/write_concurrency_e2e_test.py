"""Many writers at once against the real `netra serve`, over real HTTP: the embedded database
(SQLite, the default every new user runs) must queue its writers, not stall them.

64 writers on keep-alive connections post messages into 32 threads of 8 users for a few
seconds, while a prober reads the thread list and logs in. Every write must be answered 201, the
database's circuit breaker must stay closed, the stored message count must equal the 201s, and
reads and logins must keep their latency. The Postgres class runs the same on PostgreSQL with
TEST_POSTGRES_URL.

Run: NETRA_BIN=build/debug/netra /usr/bin/python3 -m unittest -v write_concurrency_e2e_test
(in this folder), or through ctest (`ctest --preset debug -R write_concurrency`).
"""

import asyncio
import json
import time
import unittest

from ws_e2e_test import STEP_S, PostgresMixin, ServerTestCase

WRITERS = 64
USERS = 8
THREADS_PER_USER = 4
LOAD_S = 6.0
# Reads and logins under the write load must answer at p99 within 500 ms (the debug build, ASan,
# on two cores shared with 64 writers, this client and the database server) — or, for a login,
# within 1 s or 6 times its median without load, whichever is more: a login is mostly argon2id's
# CPU (about 85 ms alone here), and with every core busy it gets a share of one; on PostgreSQL,
# whose server takes a share too, a busy host took its p99 to 523 ms with no stall at all (its
# samples rose evenly from 317 ms). What this guards against is a stall: before the writers
# queued on the event loop, logins waited out the 5 s busy timeout, or failed.
P99_LIMIT_MS = 500.0
LOGIN_P99_FLOOR_MS = 1000.0
LOGIN_LOAD_FACTOR = 6.0


class KeepAliveHttp:
    """One HTTP/1.1 connection, kept alive between requests, reopened when the server closes it.
    Every read has a timeout."""

    def __init__(self, port):
        self.port = port
        self.reader = None
        self.writer = None

    async def request(self, method, path, body=None, token=None, timeout=STEP_S):
        return await asyncio.wait_for(self._request(method, path, body, token), timeout)

    async def _request(self, method, path, body, token):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        data = json.dumps(body).encode() if body is not None else b""
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(data)}"]
        if body is not None:
            head.append("Content-Type: application/json")
        if token:
            head.append(f"Authorization: Bearer {token}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection before answering")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = (await self.reader.readline()).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await asyncio.wait_for(self.writer.wait_closed(), STEP_S)
            except (OSError, asyncio.TimeoutError):
                pass
        self.reader = self.writer = None


def p99(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class WriteConcurrency(ServerTestCase):

    async def new_users(self, count):
        made = await asyncio.gather(*(
            asyncio.wait_for(asyncio.to_thread(self.server.new_user, f"writer{i}"), 60)
            for i in range(count)))
        return list(made)  # (email, password, token) each

    async def test_64_writers_all_succeed_and_reads_and_logins_keep_their_latency(self):
        users = await self.new_users(USERS)
        threads = []  # (thread_id, token)
        for _, _, token in users:
            for t in range(THREADS_PER_USER):
                made = await self.http("POST", "/api/threads", {"title": f"load {t}"},
                                       token=token, expect=201)
                threads.append((made["id"], token))

        email, password, _ = users[0]
        unloaded = []
        for _ in range(5):
            began = time.monotonic()
            await self.http("POST", "/auth/login", {"email": email, "password": password})
            unloaded.append((time.monotonic() - began) * 1000)
        limits = {"GET /api/threads": P99_LIMIT_MS,
                  "POST /auth/login": max(LOGIN_P99_FLOOR_MS,
                                          LOGIN_LOAD_FACTOR * sorted(unloaded)[2])}

        answers = {}  # status -> count
        latencies = {"GET /api/threads": [], "POST /auth/login": []}
        stop_at = time.monotonic() + LOAD_S

        async def writer(index):
            thread_id, token = threads[index % len(threads)]
            http = KeepAliveHttp(self.server.port)
            sent = 0
            try:
                while time.monotonic() < stop_at:
                    status, _ = await http.request(
                        "POST", f"/api/threads/{thread_id}/messages",
                        {"message": f"writer {index} message {sent}"}, token=token)
                    answers[status] = answers.get(status, 0) + 1
                    sent += 1
            finally:
                await http.close()

        async def prober():
            email, password, token = users[0]
            reads, logins = KeepAliveHttp(self.server.port), KeepAliveHttp(self.server.port)
            await asyncio.sleep(0.5)  # into the load
            try:
                round_ = 0
                while time.monotonic() < stop_at:
                    began = time.monotonic()
                    status, _ = await reads.request("GET", "/api/threads", token=token)
                    self.assertEqual(status, 200)
                    latencies["GET /api/threads"].append((time.monotonic() - began) * 1000)
                    if round_ % 3 == 0:
                        began = time.monotonic()
                        status, _ = await logins.request(
                            "POST", "/auth/login", {"email": email, "password": password})
                        self.assertEqual(status, 200)
                        latencies["POST /auth/login"].append((time.monotonic() - began) * 1000)
                    round_ += 1
                    await asyncio.sleep(0.05)
            finally:
                await reads.close()
                await logins.close()

        await asyncio.wait_for(
            asyncio.gather(prober(), *(writer(i) for i in range(WRITERS))), LOAD_S + 60)

        created = answers.get(201, 0)
        self.assertEqual(set(answers), {201}, f"every write answered 201: {answers}")
        self.assertGreater(created, WRITERS, answers)

        health = await self.http("GET", "/health")
        breaker = next(b for b in health["breakers"] if b["name"] == "database")
        self.assertEqual((breaker["state"], breaker["recent_failures"], breaker["times_opened"]),
                         ("closed", 0, 0), breaker)

        stored = 0
        for thread_id, token in threads:
            page = await self.http("GET", f"/api/threads/{thread_id}/messages?limit=1",
                                   token=token)
            stored += page["total"]
        self.assertEqual(stored, created, "every 201 is a stored message, and nothing else")

        print(f"\n{type(self).__name__}: {created} messages in {LOAD_S:.0f} s by {WRITERS} "
              f"writers; p99 GET /api/threads {p99(latencies['GET /api/threads']):.0f} ms, "
              f"POST /auth/login {p99(latencies['POST /auth/login']):.0f} ms (limits {limits})")
        for what, samples in latencies.items():
            self.assertGreater(len(samples), 3, what)
            self.assertLess(p99(samples), limits[what],
                            f"{what} p99 under write load; samples (ms): {sorted(samples)}")


class WriteConcurrencyPostgres(PostgresMixin, WriteConcurrency):
    pass


if __name__ == "__main__":
    unittest.main()
