"""Server-sent events against the real `netra serve`, read by a raw client over a plain socket
(HTTP/1.1 chunks and the text/event-stream format parsed here, by hand, so that what the server
frames is what is checked): a run's events to its end; a client cut off mid-run resuming with
Last-Event-ID gets exactly the events it missed; /api/events carries the caller's thread changes
and runs and nothing of another user's; the limits (streams per user, idle limit, a page of an
unlisted origin, another user's run, a bad Last-Event-ID, API-key scopes); a logout or a deleted
API key ends the streams it opened; shutdown ends a stream.

Run: NETRA_BIN=build/debug/netra /usr/bin/python3 -m unittest -v sse_e2e_test (in this folder),
or `ctest --preset debug -R sse_e2e`.
"""

import asyncio
import json
import signal
import socket
import time
import unittest

from agents_e2e_test import COST_QUESTION, RUN_S, AgentServerTestCase
from netra_process import NetraProcess
from ws_e2e_test import STEP_S, PostgresMixin

ORIGIN = "http://app.example.test"


class SseClient:
    """One GET of an event stream on a socket of its own; events() parses what arrives."""

    def __init__(self, port, path, token=None, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=STEP_S)
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        if token:
            lines.append(f"Authorization: Bearer {token}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n").decode()
        status_line, *header_lines = head.split("\r\n")
        self.status = int(status_line.split(" ")[1])
        self.headers = {k.lower(): v.strip() for k, v in
                        (line.split(":", 1) for line in header_lines if ":" in line)}
        self.chunked = self.headers.get("transfer-encoding") == "chunked"
        self.text = ""      # the body decoded so far, not yet parsed into events
        self.ended = False  # the last chunk (or the connection's end) came
        self.comments = []

    def _until(self, marker, deadline=None):
        while marker not in self.buffer:
            if deadline is not None:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("the server closed the connection")
            self.buffer += data
        at = self.buffer.index(marker) + len(marker)
        found, self.buffer = self.buffer[:at], self.buffer[at:]
        return found[:-len(marker)]

    def _read_chunk(self, deadline):
        if not self.chunked:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.buffer or self.sock.recv(65536)
            self.buffer = b""
            if not data:
                self.ended = True
            return data.decode()
        size = int(self._until(b"\r\n", deadline), 16)
        if size == 0:
            self._until(b"\r\n", deadline)
            self.ended = True
            return ""
        while len(self.buffer) < size + 2:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("the connection ended inside a chunk")
            self.buffer += data
        chunk, self.buffer = self.buffer[:size], self.buffer[size + 2:]
        return chunk.decode()

    def next_event(self, timeout=STEP_S):
        """The next event as {"id", "event", "data"}; None once the stream ended."""
        deadline = time.monotonic() + timeout
        while True:
            while "\n\n" in self.text:
                block, self.text = self.text.split("\n\n", 1)
                event = {}
                for line in block.split("\n"):
                    if line.startswith(":"):
                        self.comments.append(line[1:].strip())
                        continue
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if name == "data":
                        event["data"] = (event["data"] + "\n" + value) if "data" in event \
                            else value
                    elif name in ("id", "event", "retry"):
                        event[name] = value
                if "data" in event:
                    event["json"] = json.loads(event["data"])
                    return event
            if self.ended:
                return None
            if time.monotonic() > deadline:
                raise TimeoutError(f"no event within {timeout} s")
            self.text += self._read_chunk(deadline)

    def events_to_end(self, timeout=RUN_S):
        events = []
        deadline = time.monotonic() + timeout
        while (event := self.next_event(deadline - time.monotonic())) is not None:
            events.append(event)
        return events

    def close(self):
        self.sock.close()


class SseTestCase(AgentServerTestCase):
    settings = {"server.event_stream_heartbeat_ms": "300",
                "server.event_stream_idle_timeout_ms": "4000",
                "server.event_streams_per_user": "3",
                "server.cors_origins": ORIGIN}

    async def open(self, path, token=None, headers=None):
        client = await asyncio.to_thread(SseClient, self.server.port, path, token, headers)
        self.addCleanup(client.close)
        return client

    async def start_run(self, token):
        thread = await self.http("POST", "/api/threads", {"title": "costs"}, token=token,
                                 expect=201)
        started = await self.http("POST", f"/api/threads/{thread['id']}/runs",
                                  {"user_request": COST_QUESTION}, token=token, expect=202)
        return started["run"]["id"]

    async def stored(self, run_id, token):
        run = await self.ended_run(run_id, token)
        return [(s["seq"], s["type"]) for s in run["steps"]]


class RunEventStreams(SseTestCase):
    async def test_a_run_streams_to_its_end_in_seq_order_as_stored(self):
        token = await self.user_with_data("sse")
        run_id = await self.start_run(token)
        stream = await self.open(f"/api/runs/{run_id}/events", token)
        self.assertEqual(stream.status, 200)
        self.assertEqual(stream.headers["content-type"], "text/event-stream")
        self.assertEqual(stream.headers["cache-control"], "no-store")
        events = await asyncio.to_thread(stream.events_to_end)
        seen = [(int(e["id"]), e["event"]) for e in events]
        self.assertEqual([s for s, _ in seen], list(range(1, len(seen) + 1)), seen)
        self.assertEqual(seen[0][1], "agent_started")
        self.assertEqual(seen[-1][1], "agent_completed")
        for event in events:
            self.assertEqual(event["json"]["run_id"], run_id)
            self.assertEqual(event["json"]["type"], event["event"])
            self.assertEqual(event["json"]["seq"], int(event["id"]))
        self.assertEqual(seen, await self.stored(run_id, token))
        self.assertTrue(stream.ended, "the stream ends after the run's last event")

    async def test_a_client_cut_off_mid_run_resumes_exactly_after_its_last_event(self):
        token = await self.user_with_data("resume")
        run_id = await self.start_run(token)
        first = await self.open(f"/api/runs/{run_id}/events", token)
        got = [await asyncio.to_thread(first.next_event) for _ in range(2)]
        first.close()  # cut off, as a network drop would
        last = got[-1]["id"]
        again = await self.open(f"/api/runs/{run_id}/events", token, {"Last-Event-ID": last})
        rest = await asyncio.to_thread(again.events_to_end)
        seqs = [int(e["id"]) for e in got + rest]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "a gap or a duplicate")
        self.assertEqual([(int(e["id"]), e["event"]) for e in got + rest],
                         await self.stored(run_id, token))
        # Resuming a finished run from any point gives exactly what follows it, then the end.
        for after in (0, 3, len(seqs)):
            tail = await self.open(f"/api/runs/{run_id}/events?last_event_id={after}", token)
            events = await asyncio.to_thread(tail.events_to_end)
            self.assertEqual([int(e["id"]) for e in events], list(range(after + 1, len(seqs) + 1)))

    async def test_what_is_not_the_callers_or_not_valid_is_refused(self):
        token = await self.user_with_data("owner")
        run_id = await self.start_run(token)
        other = await self.user("other")
        for path, who, status in ((f"/api/runs/{run_id}/events", other, 404),
                                  (f"/api/runs/{run_id}/events", None, 401),
                                  ("/api/events", None, 401),
                                  ("/api/runs/run_nope/events", token, 400)):
            answer = await self.raw_http("GET", path, token=who)
            self.assertEqual(answer.status, status, (path, answer))
        bad = await self.open(f"/api/runs/{run_id}/events", token, {"Last-Event-ID": "x1"})
        self.assertEqual(bad.status, 400)
        unlisted = await self.open("/api/events", token, {"Origin": "http://evil.example.test"})
        self.assertEqual(unlisted.status, 403)
        listed = await self.open("/api/events", token, {"Origin": ORIGIN})
        self.assertEqual(listed.status, 200)
        self.assertEqual(listed.headers["access-control-allow-origin"], ORIGIN)


class RunEventStreamsPostgres(PostgresMixin, RunEventStreams):
    pass


class LiveEventStreams(SseTestCase):
    async def test_the_callers_thread_changes_and_runs_reach_their_streams_only(self):
        token = await self.user_with_data("live")
        bystander_token = await self.user("bystander")
        mine = await self.open("/api/events", token)
        theirs = await self.open("/api/events", bystander_token)
        thread = await self.http("POST", "/api/threads", {"title": "watched"}, token=token,
                                 expect=201)
        created = await asyncio.to_thread(mine.next_event)
        self.assertEqual(created["event"], "thread_created")
        self.assertEqual(created["json"]["thread"]["id"], thread["id"])
        started = await self.http("POST", f"/api/threads/{thread['id']}/runs",
                                  {"user_request": COST_QUESTION}, token=token, expect=202)
        run_id = started["run"]["id"]
        types = []
        while not types or types[-1] != "agent_completed":
            event = await asyncio.to_thread(mine.next_event, RUN_S)
            if event["json"].get("run_id") == run_id:
                types.append(event["event"])
        self.assertEqual(types[0], "agent_started")
        # The bystander's stream is alive (heartbeats) and heard none of it.
        with self.assertRaises(TimeoutError):
            await asyncio.to_thread(theirs.next_event, 1.0)
        self.assertIn("keep-alive", theirs.comments)

    async def test_a_user_holds_at_most_three_streams_and_a_quiet_one_ends(self):
        token = await self.user("limits")
        streams = [await self.open("/api/events", token) for _ in range(3)]
        self.assertEqual([s.status for s in streams], [200, 200, 200])
        refused = await self.raw_http("GET", "/api/events", token=token)
        self.assertEqual(refused.status, 429, refused)
        self.assertEqual(refused.json()["error"]["code"], "too_many_streams")
        streams[0].close()
        await asyncio.sleep(0.8)  # its end is noticed at its next heartbeat
        replacement = await self.open("/api/events", token)
        self.assertEqual(replacement.status, 200)
        # Quiet for the idle limit (4 s): it ends, saying why.
        began = time.monotonic()
        self.assertIsNone(await asyncio.to_thread(replacement.next_event, 10))
        self.assertGreater(time.monotonic() - began, 2.5)
        self.assertIn("stream ends: idle limit reached", replacement.comments)

    async def test_api_keys_follow_their_scopes(self):
        token = await self.user("keys")
        read = (await self.http("POST", "/api/keys", {"name": "r", "scopes": ["read"]},
                                token=token, expect=201))["key"]["key"]
        ingest = (await self.http("POST", "/api/keys", {"name": "i", "scopes": ["ingest"]},
                                  token=token, expect=201))["key"]["key"]
        self.assertEqual((await self.open("/api/events", read)).status, 200)
        refused = await self.raw_http("GET", "/api/events", token=ingest)
        self.assertEqual(refused.status, 403, refused)


class StreamsRevoked(SseTestCase):
    async def test_a_logout_or_a_deleted_key_ends_the_streams_it_opened(self):
        email, password, _ = await asyncio.to_thread(self.server.new_user, "revoke")
        pair = await self.http("POST", "/auth/login", {"email": email, "password": password})
        access = pair["access_token"]
        key = (await self.http("POST", "/api/keys", {"name": "k", "scopes": ["read"]},
                               token=access, expect=201))["key"]
        by_login = await self.open("/api/events", access)
        by_key = await self.open("/api/events", key["key"])
        await self.http("DELETE", f"/api/keys/{key['id']}", token=access)
        self.assertIsNone(await asyncio.to_thread(by_key.next_event, 5))
        self.assertIn("stream ends: the login or API key was revoked", by_key.comments)
        # The login's own stream outlived the key's.
        with self.assertRaises(TimeoutError):
            await asyncio.to_thread(by_login.next_event, 0.5)
        await self.http("POST", "/auth/logout", {"refresh_token": pair["refresh_token"]},
                        token=access)
        self.assertIsNone(await asyncio.to_thread(by_login.next_event, 5))
        self.assertIn("stream ends: the login or API key was revoked", by_login.comments)


class StreamsOfClientsGone(SseTestCase):
    """A quiet stream (no heartbeat for a minute) still notices at once that its client left."""

    settings = {"server.event_stream_heartbeat_ms": "60000",
                "server.event_streams_per_user": "1"}

    async def test_a_client_that_leaves_frees_its_place_at_once(self):
        token = await self.user("gone")
        first = await self.open("/api/events", token)
        self.assertEqual(first.status, 200)
        refused = await self.raw_http("GET", "/api/events", token=token)
        self.assertEqual(refused.status, 429, refused)
        first.close()
        deadline = time.monotonic() + 2
        while True:
            again = await self.open("/api/events", token)
            if again.status == 200:
                break
            again.close()
            self.assertLess(time.monotonic(), deadline, "the place was not freed within 2 s")
            await asyncio.sleep(0.05)

    async def test_a_client_that_half_closes_gets_the_end_of_the_stream(self):
        token = await self.user("half")
        stream = await self.open("/api/events", token)
        stream.sock.shutdown(socket.SHUT_WR)
        self.assertIsNone(await asyncio.to_thread(stream.next_event, 5))
        self.assertTrue(stream.ended)


class StreamsAtShutdown(unittest.TestCase):
    def test_shutdown_ends_an_open_stream_with_its_last_chunk(self):
        server = NetraProcess({"server.event_stream_heartbeat_ms": "60000"},
                              env={"DISABLED_COMPONENTS": "agent_supervisor"})
        server.start()
        try:
            token = server.new_user("shutdown")[2]
            stream = SseClient(server.port, "/api/events", token)
            self.assertEqual(stream.status, 200)
            began = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            self.assertIsNone(stream.next_event(10))
            self.assertTrue(stream.ended)
            self.assertLess(time.monotonic() - began, 5, "the stream held the shutdown")
            self.assertEqual(server.process.wait(timeout=10), 0)
            stream.close()
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
