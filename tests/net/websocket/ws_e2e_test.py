"""End-to-end tests of the WebSocket channel /ws against the real `netra serve` process.

The client is independent of the server's code: Python's `websockets` library, and raw sockets
(raw_websocket.py) where the library would hide what is tested (pings left unanswered, a peer that
does not read, exact close frames). Each TestCase class starts its own server with the settings
it tests; every wait has a timeout.

Run: NETRA_BIN=build/debug/netra /usr/bin/python3 -m unittest -v ws_e2e_test  (in this folder),
or through ctest (`ctest --preset debug -R websocket_e2e`). With TEST_POSTGRES_URL set, the
isolation and nothing-lost classes run a second time on PostgreSQL.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import select
import signal
import socket
import time
import unittest
import uuid

import websockets
from websockets.exceptions import ConnectionClosed

import raw_websocket
from netra_process import NetraProcess, ScratchPostgresDatabase, postgres_url

STEP_S = 10.0  # the longest any single wait may take
UNKNOWN_THREAD = "thr_" + "A" * 22  # well-formed, belongs to nobody
UNKNOWN_RUN = "run_" + "A" * 22


# --- a client on the websockets library ------------------------------------------------------

class Client:
    """One socket, with JSON in and out and a timeout on every wait."""

    def __init__(self, ws):
        self.ws = ws

    @classmethod
    async def open(cls, url, token=None, subprotocols=None, ping_interval=20):
        headers = {"Authorization": f"Bearer {token}"} if token else None
        ws = await asyncio.wait_for(
            websockets.connect(url, extra_headers=headers, subprotocols=subprotocols,
                               compression=None, open_timeout=STEP_S, close_timeout=5,
                               ping_interval=ping_interval, max_size=None),
            STEP_S + 1)
        return cls(ws)

    @classmethod
    async def established(cls, url, token=None, subprotocols=None, ping_interval=20):
        """Opens a socket and checks the greeting; returns (client, greeting)."""
        client = await cls.open(url, token, subprotocols, ping_interval)
        greeting = await client.recv()
        assert greeting.get("type") == "connection_established", greeting
        return client, greeting

    async def send(self, type_, payload=None):
        message = {"type": type_}
        if payload is not None:
            message["payload"] = payload
        await self.send_text(json.dumps(message))

    async def send_text(self, text):
        await asyncio.wait_for(self.ws.send(text), STEP_S)

    async def recv(self, timeout=STEP_S):
        text = await asyncio.wait_for(self.ws.recv(), timeout)
        assert isinstance(text, str), f"expected a text message, got {text!r}"
        return json.loads(text)

    async def request(self, type_, payload=None):
        await self.send(type_, payload)
        return await self.recv()

    async def ping_ok(self, what=""):
        """The socket is open and nothing is queued before the pong: a ping's answer is next."""
        answer = await self.request("ping")
        assert answer.get("type") == "pong", f"{what}: expected pong, got {answer}"
        assert isinstance(answer.get("server_time"), (int, float)), answer
        return answer

    async def closed(self, timeout=STEP_S):
        """Waits for the close; returns (code, reason) of the close frame the server sent."""
        await asyncio.wait_for(self.ws.wait_closed(), timeout)
        return self.ws.close_code, self.ws.close_reason

    async def close(self):
        try:
            await asyncio.wait_for(self.ws.close(), STEP_S)
        except (asyncio.TimeoutError, ConnectionClosed, OSError):
            pass


class ServerTestCase(unittest.IsolatedAsyncioTestCase):
    """A server for the whole class, with `settings` (and `env`) of the class.

    The socket's own behaviour is tested without agents (agent_supervisor disabled): a message
    then starts no run, start_agent fails at once with AGENT_UNAVAILABLE, and no run's events
    interleave with the answers under test. Classes with `agents = True` run the supervisor
    (agents_e2e_test.py)."""

    settings = {}
    agents = False

    @classmethod
    def server_env(cls):
        return {}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.server_env()
        if not cls.agents:
            env["DISABLED_COMPONENTS"] = "agent_supervisor"
        cls.server = NetraProcess(cls.settings, env=env)
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()  # tearDownClass does not run after a failed setUpClass
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        super().tearDownClass()

    async def asyncSetUp(self):
        self.clients = []

    async def asyncTearDown(self):
        for client in self.clients:
            await client.close()

    # Blocking HTTP calls leave the loop free (the library answers pings in the background).
    async def http(self, method, path, body=None, token=None, expect=200):
        return await asyncio.wait_for(
            asyncio.to_thread(self.server.json_request, method, path, body, token, expect),
            STEP_S + 5)

    async def raw_http(self, method, path, body=None, token=None):
        return await asyncio.wait_for(
            asyncio.to_thread(self.server.request, method, path, body, token), STEP_S + 5)

    async def user(self, prefix="user"):
        return (await asyncio.wait_for(asyncio.to_thread(self.server.new_user, prefix),
                                       STEP_S + 5))[2]

    async def connect(self, token=None, subprotocols=None, url=None, ping_interval=20):
        client = await Client.open(url or self.server.ws_url, token, subprotocols, ping_interval)
        self.clients.append(client)
        return client

    async def established(self, token=None, subprotocols=None, url=None, ping_interval=20):
        client = await self.connect(token, subprotocols, url, ping_interval)
        greeting = await client.recv()
        self.assertEqual(greeting.get("type"), "connection_established", greeting)
        return client

    async def open_thread(self, client, text, type_="user_message", others=()):
        """Sends a message without a thread: the thread it opens is announced first
        (thread_created, on `client` and on `others`, the user's other sockets), then saved."""
        await client.send(type_, {"message": text})
        opened = await client.recv()
        self.assertEqual(opened["type"], "thread_created", opened)
        for other in others:
            self.assertEqual(await other.recv(), opened)
        saved = await client.recv()
        self.assertEqual(saved["type"], "message_saved", saved)
        self.assertEqual(saved["thread_id"], opened["thread"]["id"])
        return saved

    async def assert_error(self, client, code, field=None, what=""):
        answer = await client.recv()
        self.assertEqual(answer.get("type"), "error", f"{what}: {answer}")
        self.assertEqual(answer.get("code"), code, f"{what}: {answer}")
        self.assertIsInstance(answer.get("message"), str, answer)
        if field is not None:
            self.assertEqual(answer.get("field"), field, f"{what}: {answer}")
        return answer

    async def assert_refused(self, client, code, close_code, what=""):
        """The handshake completed, then one error message and a close frame with close_code."""
        await self.assert_error(client, code, what=what)
        with self.assertRaises(ConnectionClosed, msg=f"{what}: more than one message"):
            await client.recv()
        self.assertEqual(await client.closed(), (close_code, code), what)


class PostgresMixin:
    """Runs the class on a scratch PostgreSQL database; skipped without TEST_POSTGRES_URL."""

    @classmethod
    def setUpClass(cls):
        base = postgres_url()
        if not base:
            raise unittest.SkipTest("TEST_POSTGRES_URL is not set")
        cls.scratch = ScratchPostgresDatabase(base)
        try:
            super().setUpClass()
        except BaseException:
            cls.scratch.drop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.scratch.drop()

    @classmethod
    def server_env(cls):
        return {"NETRA_DATABASE_URL": cls.scratch.url}

    def test_runs_on_postgres(self):
        self.assertRegex(self.server.log(),
                         rf"\[database\] connecting to postgres\S*/{self.scratch.name}\b")


# --- authentication at the handshake ---------------------------------------------------------

class Auth(ServerTestCase):

    async def me(self, token):
        return (await self.http("GET", "/auth/me", token=token))["user"]["id"]

    async def test_bearer_header_opens_and_greets(self):
        token = await self.user()
        client = await self.connect(token)
        greeting = await client.recv()
        self.assertEqual(greeting["type"], "connection_established")
        self.assertRegex(greeting["connection_id"], r"^ws_")
        self.assertEqual(greeting["user_id"], await self.me(token))
        self.assertAlmostEqual(greeting["server_time"], time.time(), delta=60)
        self.assertEqual(greeting["heartbeat_interval_s"], 20)
        self.assertIsNone(client.ws.subprotocol)
        await client.ping_ok()
        other = await self.established(token)
        await other.ping_ok()

    async def test_connection_ids_are_unique(self):
        token = await self.user()
        ids = set()
        for _ in range(3):
            client = await self.connect(token)
            ids.add((await client.recv())["connection_id"])
            await client.close()
        self.assertEqual(len(ids), 3)

    async def test_jwt_subprotocol_is_selected_exactly(self):
        token = await self.user()
        protocol = f"jwt.{token}"
        client = await self.connect(subprotocols=[protocol])
        self.assertEqual(client.ws.subprotocol, protocol)
        greeting = await client.recv()
        self.assertEqual(greeting["type"], "connection_established", greeting)
        self.assertEqual(greeting["user_id"], await self.me(token))
        await client.ping_ok()

    async def test_jwt_subprotocol_among_others(self):
        token = await self.user()
        protocol = f"jwt.{token}"
        client = await self.connect(subprotocols=["chat.v1", protocol])
        self.assertEqual(client.ws.subprotocol, protocol)
        self.assertEqual((await client.recv())["type"], "connection_established")

    async def test_ticket_is_single_use(self):
        token = await self.user()
        ticket = await self.http("POST", "/api/websocket/ticket", {}, token=token)
        self.assertRegex(ticket["ticket_id"], r"^tkt_")
        self.assertGreater(ticket["expires_at"], time.time())
        self.assertEqual(ticket["websocket_url"],
                         f"{self.server.ws_url}?ticket={ticket['ticket_id']}")
        first = await self.connect(url=ticket["websocket_url"])
        greeting = await first.recv()
        self.assertEqual(greeting["type"], "connection_established", greeting)
        self.assertEqual(greeting["user_id"], await self.me(token))
        await first.ping_ok()
        again = await self.connect(url=ticket["websocket_url"])
        await self.assert_refused(again, "AUTH_FAILED", 1008, "a used ticket")
        await first.ping_ok("the first socket stays open")
        # a ticket is a credential: the access log names the upgrade, not the ticket
        log = self.server.log()
        self.assertIn("GET /ws?ticket=*** 101", log)
        self.assertNotIn(ticket["ticket_id"], log)

    async def test_ticket_with_ttl(self):
        token = await self.user()
        ticket = await self.http("POST", "/api/websocket/ticket", {"ttl_seconds": 60}, token=token)
        self.assertAlmostEqual(ticket["expires_at"], time.time() + 60, delta=15)
        client = await self.connect(url=ticket["websocket_url"])
        self.assertEqual((await client.recv())["type"], "connection_established")

    async def test_refused_credentials_get_auth_failed_and_1008(self):
        token = await self.user()
        head, payload, signature = token.split(".")
        flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
        tampered = ".".join([head, payload, flipped])
        url = self.server.ws_url
        cases = [
            ("no credential", dict()),
            ("a garbage bearer token", dict(token="not-a-token")),
            ("a tampered bearer token", dict(token=tampered)),
            ("an unknown ticket", dict(url=f"{url}?ticket=tkt_{'A' * 22}")),
            ("an empty ticket", dict(url=f"{url}?ticket=")),
            ("an access token as a ticket", dict(url=f"{url}?ticket={token}")),
        ]
        for what, kwargs in cases:
            with self.subTest(what):
                client = await self.connect(**kwargs)
                await self.assert_refused(client, "AUTH_FAILED", 1008, what)

    async def test_bad_jwt_subprotocol_is_echoed_then_refused(self):
        protocol = "jwt.not-a-token"
        client = await self.connect(subprotocols=[protocol])
        self.assertEqual(client.ws.subprotocol, protocol)
        await self.assert_refused(client, "AUTH_FAILED", 1008, "a bad jwt subprotocol")

    async def test_no_credential_is_written_to_the_log(self):
        token = await self.user()
        await self.established(token)
        await self.established(subprotocols=[f"jwt.{token}"])
        bad = token[:-4] + "AAAA"
        await self.assert_refused(await self.connect(bad), "AUTH_FAILED", 1008)
        await self.assert_refused(await self.connect(subprotocols=[f"jwt.{bad}"]), "AUTH_FAILED",
                                  1008)
        log = self.server.log()
        self.assertIn("refused a socket from 127.0.0.1: token refused", log)
        # the signature part identifies neither token in full, but is in neither log line
        for secret in (token, bad, token.split(".")[2], bad.split(".")[2]):
            self.assertNotIn(secret, log)

    async def test_get_without_upgrade_is_426(self):
        answer = await self.raw_http("GET", "/ws")
        self.assertEqual(answer.status, 426, answer)
        self.assertEqual(answer.headers.get("Upgrade"), "websocket", answer.headers)
        self.assertEqual(answer.json()["error"]["code"], "upgrade_required", answer)
        self.assertIn("application/json", answer.headers.get("Content-Type", ""))


class AuthUnavailable(ServerTestCase):
    """Tokens verified by a separate auth service (auth.url) that is down."""

    @classmethod
    def setUpClass(cls):
        # A real token, from a server that is gone by the time it is presented.
        issuer = NetraProcess()
        try:
            cls.token = issuer.start().new_user()[2]
        finally:
            issuer.cleanup()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
        probe.close()  # nothing listens there now
        cls.settings = {"auth.url": f"http://127.0.0.1:{dead_port}"}
        super().setUpClass()

    async def test_a_token_that_cannot_be_verified_now_gets_auth_unavailable_and_1013(self):
        for what, kwargs in (("bearer", dict(token=self.token)),
                             ("subprotocol", dict(subprotocols=[f"jwt.{self.token}"]))):
            with self.subTest(what):
                client = await self.connect(**kwargs)
                await self.assert_refused(client, "AUTH_UNAVAILABLE", 1013, what)
        self.server.wait_for_log(r"refused a socket from 127\.0\.0\.1: token refused")


# A shared secret the server accepts HS256 tokens with (auth.shared_secret), so that this client
# can make tokens of its own, with a lifetime of seconds (the server issues at least a minute's).
SHARED_SECRET = "ws-e2e-shared-secret-of-at-least-32-bytes"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(user_id, expires_in, session_id=None):
    """An access token signed with SHARED_SECRET, as the server's verifier expects it."""
    now = int(time.time())
    claims = {"sub": user_id, "iss": "netra", "aud": "netra-api", "jti": uuid.uuid4().hex,
              "iat": now, "nbf": now, "exp": now + expires_in, "token_type": "access"}
    if session_id:
        claims["sid"] = session_id
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    signature = hmac.new(SHARED_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256)
    return f"{head}.{body}.{b64url(signature.digest())}"


class CredentialLifetime(ServerTestCase):
    """A socket lives as long as the credential it opened with: closed with 4001 (refresh, then
    reconnect) when the token expires, with 4003 (sign in again) when its login is revoked."""

    @classmethod
    def server_env(cls):
        return {"NETRA_AUTH_SHARED_SECRET": SHARED_SECRET}

    async def login(self):
        """A new account signed in: (user id, access token, refresh token)."""
        token = await self.user("lifetime")
        me = (await self.http("GET", "/auth/me", token=token))["user"]
        password = "correct horse battery staple"
        pair = await self.http("POST", "/auth/login", {"email": me["email"], "password": password})
        return me["id"], pair["access_token"], pair["refresh_token"]

    async def assert_closed_by_server(self, client, code, close_code, what=""):
        """The server's reason as an error message, then its close frame."""
        await self.assert_error(client, code, what=what)
        self.assertEqual(await client.closed(), (close_code, code), what)

    async def test_a_socket_closes_when_its_token_expires(self):
        user_id = (await self.login())[0]
        expires = int(time.time()) + 3  # the token's exp, or a second less than it
        client = await self.established(hs256_token(user_id, expires_in=3))
        await client.ping_ok("open while the token is valid")
        await self.assert_closed_by_server(client, "TOKEN_EXPIRED", 4001, "at the token's expiry")
        self.assertGreaterEqual(time.time(), expires - 0.25, "closed before the token expired")
        # a token valid for longer keeps its socket
        lasting = await self.established(hs256_token(user_id, expires_in=600))
        await asyncio.sleep(1)
        await lasting.ping_ok()

    async def test_a_ticket_socket_closes_with_the_token_that_asked_for_it(self):
        user_id = (await self.login())[0]
        short = hs256_token(user_id, expires_in=3)
        ticket = await self.http("POST", "/api/websocket/ticket", {}, token=short)
        client = await self.connect(url=ticket["websocket_url"])
        self.assertEqual((await client.recv())["type"], "connection_established")
        await self.assert_closed_by_server(client, "TOKEN_EXPIRED", 4001, "a ticket's socket")

    async def test_logout_closes_the_logins_sockets_and_refuses_its_tokens(self):
        user_id, access, refresh = await self.login()
        by_header = await self.established(access)
        ticket = await self.http("POST", "/api/websocket/ticket", {}, token=access)
        by_ticket = await self.connect(url=ticket["websocket_url"])
        self.assertEqual((await by_ticket.recv())["type"], "connection_established")
        unused_ticket = await self.http("POST", "/api/websocket/ticket", {}, token=access)
        # the same user signed in elsewhere: another login, untouched by this logout
        other_login = (await self.http("POST", "/auth/refresh", {"refresh_token": (
            await self.http("POST", "/auth/login", {
                "email": (await self.http("GET", "/auth/me", token=access))["user"]["email"],
                "password": "correct horse battery staple"}))["refresh_token"]}))["access_token"]
        elsewhere = await self.established(other_login)

        await self.http("POST", "/auth/logout", {"refresh_token": refresh}, token=access)
        for what, client in (("bearer", by_header), ("ticket", by_ticket)):
            await self.assert_closed_by_server(client, "SESSION_REVOKED", 4003, what)
        await elsewhere.ping_ok("another login's socket stays open")
        # the login's access token, still within its lifetime, no longer opens anything
        me = await self.raw_http("GET", "/auth/me", token=access)
        self.assertEqual(me.status, 401, me)
        await self.assert_refused(await self.connect(access), "AUTH_FAILED", 1008, "after logout")
        await self.assert_refused(await self.connect(url=unused_ticket["websocket_url"]),
                                  "AUTH_FAILED", 1008, "a ticket from before the logout")
        self.assertEqual((await self.http("GET", "/auth/me", token=other_login))["user"]["id"],
                         user_id)

    async def test_a_refresh_token_used_twice_ends_its_logins_sockets(self):
        _, access, refresh = await self.login()
        client = await self.established(access)
        await self.http("POST", "/auth/refresh", {"refresh_token": refresh})
        stolen = await self.raw_http("POST", "/auth/refresh", {"refresh_token": refresh})
        self.assertEqual(stolen.status, 401, stolen)
        await self.assert_closed_by_server(client, "SESSION_REVOKED", 4003, "after a reuse")


# --- the messages ----------------------------------------------------------------------------

class Protocol(ServerTestCase):

    async def test_ping_pong(self):
        client = await self.established(await self.user())
        before = time.time()
        pong = await client.ping_ok()
        self.assertAlmostEqual(pong["server_time"], before, delta=60)
        # payload may be absent, null or an object
        self.assertEqual((await client.request("ping", {}))["type"], "pong")
        await client.send_text('{"type":"ping","payload":null}')
        self.assertEqual((await client.recv())["type"], "pong")

    async def test_user_message_starts_a_thread_then_adds_to_it(self):
        token = await self.user()
        client = await self.established(token)
        # A message without a thread opens one, which the user's sockets hear of first.
        await client.send("user_message", {"message": "hello, netra ✓"})
        opened = await client.recv()
        self.assertEqual(opened["type"], "thread_created", opened)
        first = await client.recv()
        self.assertEqual(first["type"], "message_saved", first)
        self.assertEqual(first["thread_id"], opened["thread"]["id"])
        self.assertRegex(first["thread_id"], r"^thr_")
        self.assertRegex(first["message_id"], r"^msg_")
        self.assertIsNone(first["run_id"])
        self.assertEqual(first["agent"], "unavailable")
        thread_id = first["thread_id"]
        second = await client.request("user_message", {"thread_id": thread_id, "message": "again"})
        self.assertEqual(second["type"], "message_saved", second)
        self.assertEqual(second["thread_id"], thread_id)
        self.assertNotEqual(second["message_id"], first["message_id"])
        # a null thread_id is no thread_id: a new thread
        await client.send("user_message", {"thread_id": None, "message": "new"})
        self.assertEqual((await client.recv())["type"], "thread_created")
        third = await client.recv()
        self.assertEqual(third["type"], "message_saved", third)
        self.assertNotEqual(third["thread_id"], thread_id)
        listed = await self.http("GET", f"/api/threads/{thread_id}/messages", token=token)
        self.assertEqual(listed["total"], 2, listed)
        by_id = {m["id"]: m for m in listed["messages"]}
        self.assertEqual(by_id[first["message_id"]]["content"], "hello, netra ✓")
        self.assertEqual(by_id[second["message_id"]]["content"], "again")
        self.assertEqual(by_id[first["message_id"]]["role"], "user")
        # the thread is the user's, visible over REST
        threads = await self.http("GET", "/api/threads", token=token)
        self.assertIn(thread_id, json.dumps(threads))
        await client.ping_ok()

    async def test_user_message_to_an_unknown_thread(self):
        client = await self.established(await self.user())
        await client.send("user_message", {"thread_id": UNKNOWN_THREAD, "message": "x"})
        await self.assert_error(client, "THREAD_NOT_FOUND")
        await client.ping_ok()

    async def test_start_agent_fails_the_run_and_tells_every_socket_of_the_user(self):
        token = await self.user("agent")
        other_token = await self.user("bystander")
        sender = await self.established(token)
        second = await self.established(subprotocols=[f"jwt.{token}"])
        ticket = await self.http("POST", "/api/websocket/ticket", {}, token=token)
        third = await self.established(url=ticket["websocket_url"])
        bystander = await self.established(other_token)

        await sender.send("start_agent", {"user_request": "what did GPT-4 cost me last week?"})
        # The thread it opened first, on every socket of the user; then the run's one event.
        opened = [await c.recv() for c in (sender, second, third)]
        for message in opened:
            self.assertEqual(message["type"], "thread_created", message)
        events = [await c.recv() for c in (sender, second, third)]
        for event in events:
            self.assertEqual(event["type"], "agent_error", event)
            self.assertEqual(event["agent_name"], "supervisor")
            self.assertEqual(event["seq"], 1)
            self.assertEqual(event["data"]["code"], "AGENT_UNAVAILABLE", event)
            self.assertRegex(event["run_id"], r"^run_")
            self.assertRegex(event["thread_id"], r"^thr_")
            self.assertAlmostEqual(event["timestamp"], time.time(), delta=60)
        self.assertEqual(events[1], events[0])
        self.assertEqual(events[2], events[0])
        run_id, thread_id = events[0]["run_id"], events[0]["thread_id"]
        # nothing more on the user's sockets, nothing at all on the other user's
        for client in (sender, second, third, bystander):
            await client.ping_ok("after start_agent")

        run = await self.http("GET", f"/api/runs/{run_id}", token=token)
        self.assertEqual(run["status"], "failed", run)
        self.assertEqual([s["type"] for s in run["steps"]], ["agent_error"], run)
        self.assertEqual(run["steps"][0]["seq"], 1)
        # the stored step reads as the event the sockets got (a client that reconnects fetches
        # exactly what it missed), plus when it was stored
        step = dict(run["steps"][0])
        self.assertAlmostEqual(step.pop("created_at"), events[0]["timestamp"], delta=2)
        self.assertEqual(step, events[0], run)
        runs = await self.http("GET", f"/api/threads/{thread_id}/runs", token=token)
        self.assertIn(run_id, json.dumps(runs))
        messages = await self.http("GET", f"/api/threads/{thread_id}/messages", token=token)
        self.assertEqual([m["content"] for m in messages["messages"]],
                         ["what did GPT-4 cost me last week?"], messages)

        # into an existing thread: same story, a new run
        await second.send("start_agent", {"thread_id": thread_id, "user_request": "and now?"})
        again = [await c.recv() for c in (sender, second, third)]
        for event in again:
            self.assertEqual(event["type"], "agent_error", event)
            self.assertEqual(event["thread_id"], thread_id)
            self.assertNotEqual(event["run_id"], run_id)
        await bystander.ping_ok("the other user's socket hears nothing")

        # a finished run cannot be stopped
        await sender.send("stop_agent", {"run_id": run_id})
        await self.assert_error(sender, "RUN_NOT_ACTIVE")
        await sender.send("stop_agent", {"run_id": UNKNOWN_RUN})
        await self.assert_error(sender, "RUN_NOT_FOUND")
        await sender.ping_ok()

    async def test_switch_thread(self):
        token = await self.user()
        client = await self.established(token)
        created = await self.http("POST", "/api/threads", {"title": "costs"}, token=token,
                                  expect=201)
        told = await client.recv()  # a thread made over REST is news to the user's sockets
        self.assertEqual((told["type"], told["thread"]["id"]), ("thread_created", created["id"]))
        switched = await client.request("switch_thread", {"thread_id": created["id"]})
        self.assertEqual(switched["type"], "thread_switched", switched)
        self.assertEqual(switched["thread"]["id"], created["id"])
        self.assertEqual(switched["thread"]["title"], "costs")
        await client.send("switch_thread", {"thread_id": UNKNOWN_THREAD})
        await self.assert_error(client, "THREAD_NOT_FOUND")
        await client.ping_ok()

    async def test_bad_messages_get_errors_and_the_socket_stays_open(self):
        token = await self.user()
        client = None
        long_text = "x" * (32 * 1024 + 1)
        cases = [
            ("not JSON", "{", "JSON_PARSE_ERROR", None),
            ("empty text", "", "JSON_PARSE_ERROR", None),
            ("unknown type", {"type": "dance"}, "UNKNOWN_TYPE", None),
            ("not an object", [1, 2], "INVALID_PAYLOAD", "type"),
            ("no type", {"payload": {}}, "INVALID_PAYLOAD", "type"),
            ("type not a string", {"type": 7}, "INVALID_PAYLOAD", "type"),
            ("payload not an object", {"type": "ping", "payload": "x"}, "INVALID_PAYLOAD",
             "payload"),
            ("message missing", {"type": "user_message", "payload": {}}, "INVALID_PAYLOAD",
             "message"),
            ("message not a string", {"type": "user_message", "payload": {"message": 5}},
             "INVALID_PAYLOAD", "message"),
            ("message empty", {"type": "user_message", "payload": {"message": ""}},
             "INVALID_PAYLOAD", "message"),
            ("message too long", {"type": "user_message", "payload": {"message": long_text}},
             "INVALID_PAYLOAD", "message"),
            ("unknown payload field",
             {"type": "user_message", "payload": {"message": "hi", "colour": "red"}},
             "INVALID_PAYLOAD", "colour"),
            ("malformed thread_id",
             {"type": "user_message", "payload": {"message": "hi", "thread_id": "thr_1"}},
             "INVALID_PAYLOAD", "thread_id"),
            ("thread_id not a string",
             {"type": "user_message", "payload": {"message": "hi", "thread_id": 12}},
             "INVALID_PAYLOAD", "thread_id"),
            ("user_request missing", {"type": "start_agent", "payload": {}}, "INVALID_PAYLOAD",
             "user_request"),
            ("run_id missing", {"type": "stop_agent", "payload": {}}, "INVALID_PAYLOAD", "run_id"),
            ("malformed run_id", {"type": "stop_agent", "payload": {"run_id": "thr_" + "A" * 22}},
             "INVALID_PAYLOAD", "run_id"),
            ("thread_id missing", {"type": "switch_thread", "payload": {}}, "INVALID_PAYLOAD",
             "thread_id"),
            ("thread_id null", {"type": "switch_thread", "payload": {"thread_id": None}},
             "INVALID_PAYLOAD", "thread_id"),
            ("unknown field of stop_agent",
             {"type": "stop_agent", "payload": {"run_id": UNKNOWN_RUN, "force": True}},
             "INVALID_PAYLOAD", "force"),
        ]
        for i, (what, message, code, field) in enumerate(cases):
            with self.subTest(what):
                if i % 8 == 0:  # a new socket now and then, to stay within message_burst (40)
                    client = await self.established(token)
                text = message if isinstance(message, str) else json.dumps(message)
                await client.send_text(text)
                await self.assert_error(client, code, field, what)
                await client.ping_ok(f"after {what}")
        # a binary message is refused the same way
        await asyncio.wait_for(client.ws.send(b'{"type":"ping"}'), STEP_S)
        await self.assert_error(client, "BINARY_NOT_SUPPORTED")
        await client.ping_ok("after a binary message")


# --- limits ----------------------------------------------------------------------------------

class Limits(ServerTestCase):
    settings = {
        "websocket.max_message_bytes": "1024",
        "websocket.max_connections_per_user": "2",
        "websocket.messages_per_second": "2",
        "websocket.message_burst": "5",
    }

    async def test_a_message_over_max_message_bytes_closes_with_1009(self):
        client = await self.established(await self.user())
        def sized(n):  # a user_message of exactly n bytes
            text = json.dumps({"type": "user_message", "payload": {"message": ""}})
            return json.dumps({"type": "user_message",
                               "payload": {"message": "a" * (n - len(text))}})
        self.assertEqual(len(sized(1024)), 1024)
        await client.send_text(sized(1024))
        self.assertEqual((await client.recv())["type"], "thread_created")
        self.assertEqual((await client.recv())["type"], "message_saved")
        await client.send_text(sized(1025))
        code, _ = await client.closed()
        self.assertEqual(code, 1009)
        self.server.wait_for_log(r"sent a message over 1024 bytes; closed with 1009")

    async def test_over_max_connections_per_user_is_refused_with_1008(self):
        token = await self.user()
        first = await self.established(token)
        second = await self.established(subprotocols=[f"jwt.{token}"])
        third = await self.connect(token)
        await self.assert_refused(third, "TOO_MANY_CONNECTIONS", 1008, "a third socket")
        # the two open ones are untouched; another user is not counted against this one
        await first.ping_ok()
        await second.ping_ok()
        other = await self.established(await self.user())
        await other.ping_ok()
        # a closed socket frees its place (its end is noticed a moment after the close)
        await first.close()
        deadline = time.monotonic() + STEP_S
        while True:
            client = await self.connect(token)
            greeting = await client.recv()
            if greeting["type"] == "connection_established":
                break
            self.assertEqual(greeting.get("code"), "TOO_MANY_CONNECTIONS", greeting)
            await client.close()
            self.assertLess(time.monotonic(), deadline, "the closed socket's place never freed")
            await asyncio.sleep(0.05)
        self.server.wait_for_log(r"turned away a socket of \S+: at most 2 sockets per user")

    async def test_over_the_rate_is_rate_limited_and_the_socket_stays_open(self):
        client = await self.established(await self.user())
        # message_burst (5) at once, then 2 a second: 10 pings at once find 5 tokens.
        for _ in range(10):
            await client.send("ping")
        answers = [await client.recv() for _ in range(10)]
        kinds = [a["type"] if a["type"] != "error" else a["code"] for a in answers]
        self.assertEqual(kinds.count("pong") + kinds.count("RATE_LIMITED"), 10, kinds)
        # the few ms the pings take to arrive may refill a token, not more
        self.assertIn(kinds.count("pong"), (5, 6), kinds)
        self.assertEqual(kinds[:5], ["pong"] * 5, kinds)
        # after a second and a half, three tokens again: the socket was never closed
        await asyncio.sleep(1.5)
        for _ in range(6):
            await client.send("ping")
        later = [await client.recv() for _ in range(6)]
        later_kinds = [a["type"] if a["type"] != "error" else a["code"] for a in later]
        self.assertIn(later_kinds.count("pong"), (3, 4), later_kinds)
        self.assertEqual(later_kinds.count("RATE_LIMITED"), 6 - later_kinds.count("pong"))
        self.assertTrue(client.ws.open)


class InstanceLimit(ServerTestCase):
    settings = {"websocket.max_connections": "3"}

    async def test_over_max_connections_is_refused_with_1013(self):
        a = await self.user("a")
        b = await self.user("b")
        held = [await self.established(a), await self.established(a), await self.established(b)]
        late = await self.connect(await self.user("c"))
        await self.assert_refused(late, "TOO_MANY_CONNECTIONS", 1013, "a fourth socket")
        for client in held:
            await client.ping_ok()
        self.server.wait_for_log(r"the server holds its maximum of 3 sockets")


class Framing(ServerTestCase):
    """RFC 6455 framing as a raw client sends it: fragments, control frames, protocol errors."""

    settings = {"websocket.max_message_bytes": "1024"}

    def open(self):
        raw = raw_websocket.RawWebSocket(self.server.port, self.server.new_user()[2])
        self.addCleanup(raw.close)
        greeting = raw.read_frame(timeout=STEP_S)
        self.assertEqual(json.loads(greeting.payload)["type"], "connection_established")
        return raw

    def send(self, raw, opcode, payload, fin=True, mask=True):
        raw.sock.sendall(raw_websocket.encode_frame(opcode, payload, mask=mask, fin=fin))

    def expect_close(self, raw, code):
        frame = raw.read_frame(timeout=STEP_S)
        self.assertIsNotNone(frame, "the connection ended without a close frame")
        self.assertEqual(frame.opcode, raw_websocket.OP_CLOSE, frame)
        self.assertEqual(frame.close_code, code, frame)
        # then the server ends the connection (it may wait for our close frame first)
        try:
            raw.send_close(code)
        except OSError:
            pass
        self.assertIsNone(raw.read_frame(timeout=STEP_S))

    def test_a_fragmented_message_with_a_ping_between_the_fragments(self):
        raw = self.open()
        self.send(raw, raw_websocket.OP_TEXT, b'{"type":', fin=False)
        self.send(raw, raw_websocket.OP_PING, b"between")
        self.send(raw, raw_websocket.OP_CONT, b'"ping"}')
        pong = raw.read_frame(timeout=STEP_S)
        self.assertEqual((pong.opcode, pong.payload), (raw_websocket.OP_PONG, b"between"))
        answer = raw.read_frame(timeout=STEP_S)
        self.assertEqual(answer.opcode, raw_websocket.OP_TEXT, answer)
        self.assertEqual(json.loads(answer.payload)["type"], "pong")

    def test_a_client_close_is_answered_in_kind(self):
        raw = self.open()
        raw.send_close(1000)
        self.expect_close(raw, 1000)
        self.server.wait_for_log(r"closed \(1000 ")

    def test_an_unmasked_client_frame_is_a_protocol_error(self):
        raw = self.open()
        self.send(raw, raw_websocket.OP_TEXT, b'{"type":"ping"}', mask=False)
        self.expect_close(raw, 1002)

    def test_invalid_utf8_in_a_text_message_closes_with_1007(self):
        raw = self.open()
        self.send(raw, raw_websocket.OP_TEXT, b'{"type":"\xff"}')
        self.expect_close(raw, 1007)

    def test_fragments_over_max_message_bytes_together_close_with_1009(self):
        raw = self.open()
        self.send(raw, raw_websocket.OP_TEXT, b"[" + b" " * 599, fin=False)
        self.send(raw, raw_websocket.OP_CONT, b" " * 599 + b"]")
        self.expect_close(raw, 1009)


# --- keep-alive ------------------------------------------------------------------------------

class KeepAlive(ServerTestCase):
    settings = {"websocket.ping_interval_ms": "300"}

    async def test_greeting_names_the_interval(self):
        client = await self.connect(await self.user())
        self.assertEqual((await client.recv())["heartbeat_interval_s"], 0.3)

    async def test_a_client_that_answers_pings_stays_open(self):
        # The library answers the server's pings; it sends none of its own here.
        client = await self.established(await self.user(), ping_interval=None)
        await asyncio.sleep(2.0)  # more than six intervals of silence from the client's side
        self.assertTrue(client.ws.open)
        await client.ping_ok("after two seconds of answered pings")

    def test_a_client_that_answers_no_ping_is_closed(self):
        token = self.server.new_user()[2]
        with raw_websocket.RawWebSocket(self.server.port, token) as raw:
            greeting = raw.read_frame(timeout=STEP_S)
            self.assertEqual(greeting.opcode, raw_websocket.OP_TEXT)
            self.assertEqual(json.loads(greeting.payload)["type"], "connection_established")
            opened = time.monotonic()
            ping = raw.read_frame(timeout=3)
            pinged = time.monotonic()
            self.assertIsNotNone(ping, "closed before any ping")
            self.assertEqual(ping.opcode, raw_websocket.OP_PING, ping)
            self.assertGreater(pinged - opened, 0.2, "a ping before the interval was up")
            self.assertLess(pinged - opened, 1.5, "the first ping came late")
            # never answer: the server must hang up within about one more interval
            rest = []
            while True:
                frame = raw.read_frame(timeout=3)  # TimeoutError fails the test
                if frame is None:
                    break
                rest.append(frame)
            gone = time.monotonic()
            # one more interval (300 ms) for an answer, not much less and not much more
            self.assertGreater(gone - pinged, 0.2, f"closed {gone - pinged:.2f} s after the ping")
            self.assertLess(gone - pinged, 2.0, f"closed {gone - pinged:.2f} s after the ping")
            self.assertTrue(all(f.opcode in (raw_websocket.OP_PING, raw_websocket.OP_CLOSE)
                                for f in rest), rest)
        self.server.wait_for_log(r"answered no ping within 300 ms; closed")


# --- a client that does not read ------------------------------------------------------------

class SlowReader(ServerTestCase):
    settings = {
        "websocket.max_queued_bytes": "16384",
        "websocket.messages_per_second": "1000000",
        "websocket.message_burst": "1000000",
    }

    # Each request is answered with an error about 2 KiB long that names the unknown field twice.
    # Pings would do too, but their 45-byte pongs need some 100,000 round trips (15 s under
    # ASan) to fill the kernel's socket buffers on loopback; these fill them a hundred times
    # sooner and take the same path (the handler's answer queued on a socket nobody reads).
    FIELD = "f" * 1000
    REQUEST = json.dumps({"type": "user_message", "payload": {FIELD: 1}}).encode()

    def test_a_client_that_does_not_read_is_closed_with_1013(self):
        token = self.server.new_user()[2]
        batch = b"".join(raw_websocket.encode_frame(raw_websocket.OP_TEXT, self.REQUEST)
                         for _ in range(100))
        with raw_websocket.RawWebSocket(self.server.port, token, rcvbuf=4096) as raw:
            greeting = raw.read_frame(timeout=STEP_S)
            self.assertEqual(json.loads(greeting.payload)["type"], "connection_established")
            sock = raw.sock
            sock.setblocking(False)
            sent_batches, offset = 0, 0
            deadline = time.monotonic() + 60
            next_look = 0.0
            noticed = False
            # Whole batches (never a torn frame) until the server says it gave up on us.
            while True:
                now = time.monotonic()
                self.assertLess(now, deadline, f"the server never gave up on a client that reads "
                                f"nothing; {sent_batches * 100} requests sent")
                if not noticed and now >= next_look:
                    noticed = "is not reading" in self.server.log()
                    next_look = now + 0.05
                if noticed and offset == 0:
                    break
                _, writable, _ = select.select([], [sock], [], 0.05)
                if writable:
                    offset += sock.send(batch[offset:])
                    if offset == len(batch):
                        offset = 0
                        sent_batches += 1
            requests_sent = sent_batches * 100
            sock.setblocking(True)
            # Now read all that comes (promptly: the server cuts a connection whose close frame
            # cannot be written within 10 s): the answers written before the queue overflowed,
            # then the close frame.
            answers, close = 0, None
            while close is None:
                frame = raw.read_frame(timeout=15)
                if frame is None:
                    break
                if frame.opcode == raw_websocket.OP_TEXT:
                    answer = json.loads(frame.payload)
                    self.assertEqual((answer["code"], answer["field"]),
                                     ("INVALID_PAYLOAD", self.FIELD))
                    answers += 1
                elif frame.opcode == raw_websocket.OP_CLOSE:
                    close = frame
            self.assertIsNotNone(close, f"no close frame after {answers} answers to "
                                 f"{requests_sent} requests; log tail:\n"
                                 f"{self.server.log()[-2000:]}")
            self.assertEqual(close.close_code, 1013, close)
            self.assertEqual(close.close_reason, "slow reader")
            # What could not be delivered was dropped, not held: fewer answers than requests.
            self.assertGreater(answers, 0)
            self.assertLess(answers, requests_sent)
            raw.send_close(1013)
            # and then it hangs up
            while raw.read_frame(timeout=STEP_S) is not None:
                pass
        self.server.wait_for_log(r"is not reading: over 16384 bytes queued; closing with 1013")


class BigReplies(ServerTestCase):
    settings = {"websocket.max_queued_bytes": "1024"}

    async def test_one_reply_over_the_queue_bound_still_reaches_a_client_that_reads(self):
        token = await self.user()
        client = await self.established(token)
        field = "g" * 1500  # named twice in the error: a reply of some 3 KiB
        await client.send("user_message", {field: 1})
        answer = await client.recv()
        self.assertEqual((answer["code"], answer["field"]), ("INVALID_PAYLOAD", field))
        self.assertGreater(len(json.dumps(answer)), 1024)
        await client.ping_ok("the socket stays open")
        self.assertNotIn("is not reading", self.server.log())


# --- shutdown --------------------------------------------------------------------------------

class Shutdown(unittest.IsolatedAsyncioTestCase):

    def setUp(self):
        self.server = NetraProcess({"server.drain_delay_ms": "0"},
                                   env={"DISABLED_COMPONENTS": "agent_supervisor"})
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.a = self.server.new_user("a")[2]
        self.b = self.server.new_user("b")[2]
        self.ticket = self.server.json_request("POST", "/api/websocket/ticket", {}, token=self.b)

    async def test_sigterm_closes_every_socket_with_1001_then_exits_0(self):
        a, b, ticket = self.a, self.b, self.ticket
        url = self.server.ws_url
        clients = [
            (await Client.established(url, a))[0],
            (await Client.established(url, a))[0],
            (await Client.established(url, subprotocols=[f"jwt.{a}"]))[0],
            (await Client.established(url, b))[0],
            (await Client.established(ticket["websocket_url"]))[0],
        ]
        try:
            for client in clients:
                await client.ping_ok()
            process = self.server.process
            process.send_signal(signal.SIGTERM)
            closes = await asyncio.wait_for(
                asyncio.gather(*(client.closed(timeout=STEP_S) for client in clients)), STEP_S + 1)
            exit_code = await asyncio.wait_for(asyncio.to_thread(process.wait, 30), 35)
        finally:
            for client in clients:
                await client.close()
        self.assertEqual([code for code, _ in closes], [1001] * len(clients), closes)
        self.assertEqual(exit_code, 0, self.server.log()[-3000:])
        self.server.process = None
        log = self.server.log()
        self.assertIn("closing 5 socket(s) with 1001 (going away)", log)
        self.assertIn("stopped (exit code 0)", log)
        self.assertNotIn("still open after", log)


    async def test_a_client_that_takes_no_close_frame_is_cut_and_the_process_still_exits(self):
        raw = raw_websocket.RawWebSocket(self.server.port, self.a)
        try:
            greeting = raw.read_frame(timeout=STEP_S)
            self.assertEqual(json.loads(greeting.payload)["type"], "connection_established")
            process = self.server.process
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            # never read and never answer: the server gives up on the close handshake
            exit_code = await asyncio.wait_for(asyncio.to_thread(process.wait, 30), 35)
            took = time.monotonic() - started
            self.server.process = None
            self.assertEqual(exit_code, 0)
            frame = raw.read_frame(timeout=STEP_S)  # written before the cut, read only now
            self.assertEqual((frame.opcode, frame.close_code),
                             (raw_websocket.OP_CLOSE, 1001), frame)
            self.assertIsNone(raw.read_frame(timeout=STEP_S))
        finally:
            raw.close()
        self.assertLess(took, 20, "the stop waited too long for a silent client")
        log = self.server.log()
        self.assertRegex(log, r"1 socket\(s\) still open after \d+ ms; cutting them")
        self.assertIn("stopped (exit code 0)", log)


# --- nothing lost across a crash -------------------------------------------------------------

class NothingLost(ServerTestCase):
    N = 50
    settings = {"websocket.messages_per_second": "10000", "websocket.message_burst": "10000"}

    async def test_acknowledged_messages_survive_sigkill(self):
        email, password, token = await asyncio.wait_for(
            asyncio.to_thread(self.server.new_user), STEP_S + 5)
        thread = await self.http("POST", "/api/threads", {}, token=token, expect=201)
        thread_id = thread["id"]
        tag = uuid.uuid4().hex[:8]
        expected = {}
        client = await self.established(token)
        for i in range(self.N):
            content = f"socket {tag} #{i} — ünïcödé"
            saved = await client.request("user_message",
                                         {"thread_id": thread_id, "message": content})
            self.assertEqual(saved["type"], "message_saved", saved)
            self.assertEqual(saved["thread_id"], thread_id)
            expected[saved["message_id"]] = content
        for i in range(self.N):
            content = f"rest {tag} #{i}"
            posted = await self.http("POST", f"/api/threads/{thread_id}/messages",
                                     {"message": content}, token=token, expect=201)
            self.assertEqual(posted["content"], content)
            expected[posted["id"]] = content
        # No shutdown at all, right after the last acknowledgement.
        code = await asyncio.wait_for(asyncio.to_thread(self.server.kill), STEP_S + 5)
        self.assertEqual(code, -signal.SIGKILL)
        await client.closed()

        # same directory (SQLite file, keys) or database
        await asyncio.wait_for(asyncio.to_thread(self.server.start), 40)
        token = await asyncio.wait_for(asyncio.to_thread(self.server.login, email, password),
                                       STEP_S + 5)
        listed = await self.http("GET", f"/api/threads/{thread_id}/messages?limit=100",
                                 token=token)
        self.assertEqual(listed["total"], 2 * self.N, listed.get("total"))
        found = {m["id"]: m["content"] for m in listed["messages"]}
        self.assertEqual(found, expected)
        # in the order they were acknowledged, and counted on the thread
        self.assertEqual([m["id"] for m in listed["messages"]], list(expected))
        after = await self.http("GET", f"/api/threads/{thread_id}", token=token)
        self.assertEqual(after["message_count"], 2 * self.N, after)
        # the socket channel works on the restarted server, on the same thread
        again = await self.established(token)
        saved = await again.request("user_message", {"thread_id": thread_id, "message": "after"})
        self.assertEqual(saved["type"], "message_saved", saved)


class NothingLostPostgres(PostgresMixin, NothingLost):
    pass


# --- isolation between users -----------------------------------------------------------------

class Isolation(ServerTestCase):

    async def test_another_users_thread_and_run_are_not_found_over_the_socket(self):
        alice_token = await self.user("alice")
        bob_token = await self.user("bob")
        alice = await self.established(alice_token)
        alice_too = await self.established(alice_token)
        bob = await self.established(bob_token)

        saved = await self.open_thread(alice, "alice's secret plan", others=[alice_too])
        thread_id = saved["thread_id"]
        await alice.send("start_agent", {"thread_id": thread_id, "user_request": "alice asks"})
        event = await alice.recv()
        self.assertEqual(event["type"], "agent_error", event)
        self.assertEqual((await alice_too.recv())["run_id"], event["run_id"])
        run_id = event["run_id"]
        await bob.ping_ok("bob hears nothing of alice's run")

        attempts = [
            ("switch_thread", {"thread_id": thread_id}, "THREAD_NOT_FOUND"),
            ("user_message", {"thread_id": thread_id, "message": "bob was here"},
             "THREAD_NOT_FOUND"),
            ("start_agent", {"thread_id": thread_id, "user_request": "bob asks"},
             "THREAD_NOT_FOUND"),
            ("stop_agent", {"run_id": run_id}, "RUN_NOT_FOUND"),
        ]
        for type_, payload, code in attempts:
            with self.subTest(type_):
                await bob.send(type_, payload)
                answer = await self.assert_error(bob, code, what=type_)
                self.assertNotIn("alice", json.dumps(answer))
                await bob.ping_ok(f"after {type_}")
        # the not-found answers are the same as for ids that exist nowhere
        await bob.send("switch_thread", {"thread_id": UNKNOWN_THREAD})
        unknown = await self.assert_error(bob, "THREAD_NOT_FOUND")
        await bob.send("switch_thread", {"thread_id": thread_id})
        self.assertEqual(await self.assert_error(bob, "THREAD_NOT_FOUND"), unknown)

        # bob's own run reaches bob only
        await bob.send("start_agent", {"user_request": "bob's own question"})
        self.assertEqual((await bob.recv())["type"], "thread_created")
        bob_event = await bob.recv()
        self.assertEqual(bob_event["type"], "agent_error", bob_event)
        self.assertNotEqual(bob_event["thread_id"], thread_id)
        await alice.ping_ok("alice hears nothing of bob's run")
        await alice_too.ping_ok("alice hears nothing of bob's run")

        # nothing of bob's attempts landed in alice's thread
        messages = await self.http("GET", f"/api/threads/{thread_id}/messages", token=alice_token)
        self.assertEqual([m["content"] for m in messages["messages"]],
                         ["alice's secret plan", "alice asks"], messages)
        runs = await self.http("GET", f"/api/threads/{thread_id}/runs", token=alice_token)
        self.assertEqual(json.dumps(runs).count('"run_'), 1, runs)
        run = await self.http("GET", f"/api/runs/{run_id}", token=alice_token)
        self.assertEqual(run["status"], "failed")
        # and over REST bob sees neither
        for path in (f"/api/threads/{thread_id}", f"/api/threads/{thread_id}/messages",
                     f"/api/runs/{run_id}"):
            answer = await self.raw_http("GET", path, token=bob_token)
            self.assertEqual(answer.status, 404, f"{path}: {answer}")
        bob_threads = await self.http("GET", "/api/threads", token=bob_token)
        self.assertNotIn(thread_id, json.dumps(bob_threads))


class IsolationPostgres(PostgresMixin, Isolation):
    pass


# --- threads over the socket (issue 19) --------------------------------------------------------

class Threads(ServerTestCase):
    """create_thread, list_threads, rename_thread, delete_thread and get_thread_history, with the
    thread events on every socket of the user (REST changes included) and on no one else's."""

    async def expect_on_all(self, clients, type_, what):
        events = []
        for client in clients:
            event = await client.recv()
            self.assertEqual(event.get("type"), type_, f"{what}: {event}")
            events.append(event)
        self.assertTrue(all(e == events[0] for e in events), f"{what}: {events}")
        return events[0]

    async def test_the_thread_list_kept_over_the_socket_on_every_socket_of_the_user(self):
        token = await self.user("lister")
        other = await self.user("other")
        first, second = await self.established(token), await self.established(token)
        stranger = await self.established(other)

        await first.send("create_thread", {"title": "Cut gpt-4o costs", "metadata": {"k": 1}})
        created = (await self.expect_on_all([first, second], "thread_created", "create"))["thread"]
        self.assertEqual(created["title"], "Cut gpt-4o costs", created)
        self.assertEqual(created["metadata"], {"k": 1}, created)
        thread_id = created["id"]

        # REST changes reach the sockets too.
        rest = await self.http("POST", "/api/threads", {"title": "From REST"}, token=token,
                               expect=201)
        self.assertEqual(
            (await self.expect_on_all([first, second], "thread_created", "REST create"))
            ["thread"]["id"], rest["id"])

        listed = await first.request("list_threads", {"limit": 1})
        self.assertEqual(listed["type"], "thread_list", listed)
        self.assertEqual(listed["total"], 2, listed)
        self.assertEqual([t["id"] for t in listed["threads"]], [rest["id"]], listed)
        older = await first.request("list_threads", {"limit": 1, "offset": 1})
        self.assertEqual([t["id"] for t in older["threads"]], [thread_id], older)

        await second.send("rename_thread", {"thread_id": thread_id, "title": "Latency first"})
        renamed = (await self.expect_on_all([first, second], "thread_renamed", "rename"))["thread"]
        self.assertEqual((renamed["id"], renamed["title"]), (thread_id, "Latency first"))
        await self.http("PUT", f"/api/threads/{rest['id']}", {"title": "Renamed by REST"},
                        token=token)
        self.assertEqual(
            (await self.expect_on_all([first, second], "thread_renamed", "REST rename"))
            ["thread"]["title"], "Renamed by REST")

        await first.send("delete_thread", {"thread_id": thread_id})
        deleted = await self.expect_on_all([first, second], "thread_deleted", "delete")
        self.assertEqual(deleted["thread_id"], thread_id)
        await self.http("DELETE", f"/api/threads/{rest['id']}", token=token)
        self.assertEqual(
            (await self.expect_on_all([first, second], "thread_deleted", "REST delete"))
            ["thread_id"], rest["id"])
        self.assertEqual((await first.request("list_threads"))["total"], 0)

        # Another user heard nothing, and cannot touch the threads by id.
        await stranger.ping_ok("the other user hears none of it")
        for type_, payload in (("rename_thread", {"thread_id": thread_id, "title": "mine"}),
                               ("delete_thread", {"thread_id": thread_id}),
                               ("get_thread_history", {"thread_id": thread_id})):
            await stranger.send(type_, payload)
            await self.assert_error(stranger, "THREAD_NOT_FOUND", what=type_)
        # Deleted is deleted: a second delete, a rename and the history are not found.
        await first.send("delete_thread", {"thread_id": thread_id})
        await self.assert_error(first, "THREAD_NOT_FOUND")
        await second.ping_ok("a refused delete tells no one")

    async def test_history_pages_back_from_the_latest_message(self):
        token = await self.user("reader")
        client = await self.established(token)
        saved = await self.open_thread(client, "message 0", "chat_message")  # the alias
        thread_id = saved["thread_id"]
        for i in range(1, 7):
            answer = await client.request("user_message",
                                          {"thread_id": thread_id, "message": f"message {i}"})
            self.assertEqual(answer["type"], "message_saved", answer)

        page = await client.request("get_thread_history", {"thread_id": thread_id, "limit": 3})
        self.assertEqual(page["type"], "thread_history", page)
        self.assertEqual([m["content"] for m in page["messages"]],
                         ["message 4", "message 5", "message 6"], page)
        self.assertEqual((page["has_more"], page["total"]), (True, 7), page)
        before = page["messages"][0]["id"]
        page = await client.request("get_thread_history",
                                    {"thread_id": thread_id, "before": before, "limit": 3})
        self.assertEqual([m["content"] for m in page["messages"]],
                         ["message 1", "message 2", "message 3"], page)
        self.assertTrue(page["has_more"], page)
        page = await client.request("get_thread_history",
                                    {"thread_id": thread_id, "before": page["messages"][0]["id"],
                                     "limit": 3})
        self.assertEqual([m["content"] for m in page["messages"]], ["message 0"], page)
        self.assertFalse(page["has_more"], page)
        default = await client.request("get_thread_history", {"thread_id": thread_id})
        self.assertEqual(len(default["messages"]), 7, default)

        # A message of another thread is no place to start from; bad input names its field.
        other = await self.open_thread(client, "elsewhere")
        bad = [({"thread_id": thread_id, "before": other["message_id"]}, "INVALID_PAYLOAD",
                "before"),
               ({"thread_id": thread_id, "limit": 0}, "INVALID_PAYLOAD", "limit"),
               ({"thread_id": thread_id, "limit": 101}, "INVALID_PAYLOAD", "limit"),
               ({"thread_id": thread_id, "limit": 18446744073709551615}, "INVALID_PAYLOAD",
                "limit"),
               ({"thread_id": thread_id, "limit": "3"}, "INVALID_PAYLOAD", "limit"),
               ({"thread_id": thread_id, "since": 1}, "INVALID_PAYLOAD", "since"),
               ({}, "INVALID_PAYLOAD", "thread_id"),
               ({"thread_id": UNKNOWN_THREAD}, "THREAD_NOT_FOUND", None)]
        for payload, code, field in bad:
            with self.subTest(payload=payload):
                await client.send("get_thread_history", payload)
                await self.assert_error(client, code, field)
        for type_, payload, field in (("create_thread", {"title": 7}, "title"),
                                      ("create_thread", {"title": "x" * 201}, "title"),
                                      ("create_thread", {"metadata": [1]}, "metadata"),
                                      ("rename_thread", {"thread_id": thread_id}, "title"),
                                      ("list_threads", {"limit": -1}, "limit"),
                                      ("list_threads", {"offset": -1}, "offset")):
            with self.subTest(type_=type_, payload=payload):
                await client.send(type_, payload)
                await self.assert_error(client, "INVALID_PAYLOAD", field)
        await client.ping_ok("after the refusals")


class ThreadsPostgres(PostgresMixin, Threads):
    pass


if __name__ == "__main__":
    unittest.main()
