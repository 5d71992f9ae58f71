"""Instances of one service sharing PostgreSQL and Redis, as behind a load balancer: a WebSocket
ticket issued by one is redeemed once on any; a logout on one ends the login on the others within
a second (HTTP refused, sockets closed with 4003); a run on one streams to the user's sockets on
the others in seq order, once; an API key deleted on one is refused on the others within a second, and
its requests meet one rate; login attempts spread over them meet one limit, and a user's sockets, runs and ingested events
one per-user limit; a workload summary is cached for all of them until the user ingests; three started at
once migrate once; a run whose instance is killed is interrupted by another once its lease
lapses, and exactly once.

Run: NETRA_BIN=build/debug/netra TEST_REDIS_URL=… TEST_POSTGRES_URL=… TEST_CLICKHOUSE_URL=…
/usr/bin/python3 -m unittest -v cluster_e2e_test (in this folder), or `ctest -R cluster_e2e`.
"""

import asyncio
import collections
import urllib.request
import json
import io
import http.client
import csv
import signal
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net",
                                "websocket"))

from netra_process import (NetraProcess, ScratchClickHouse, ScratchPostgresDatabase,  # noqa: E402
                           _required_under_ci, clickhouse_available, free_port,
                           postgres_url)
from agents_e2e_test import COST_QUESTION, next_of, run_events  # noqa: E402
from ws_e2e_test import STEP_S, Client  # noqa: E402
from sse_e2e_test import SseClient  # noqa: E402


def flush_redis_database(url, number):
    """Empties database `number` of the Redis at `url` (redis://:password@host:port)."""
    parts = urlsplit(url)
    subprocess.run(["/usr/bin/redis-cli", "--no-auth-warning", "-h", parts.hostname, "-p",
                    str(parts.port), "-a", parts.password or "", "-n", str(number), "FLUSHDB"],
                   check=True, capture_output=True, timeout=10)


class ClusterTestCase(unittest.IsolatedAsyncioTestCase):
    """Instances on one scratch PostgreSQL database and Redis (and what `prepare` adds); no tests."""

    settings = {}
    instance_count = 2
    redis_database = 0  # a class whose counts must start from nothing takes a database of its own

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        redis_url = _required_under_ci("TEST_REDIS_URL")
        if redis_url and cls.redis_database:
            flush_redis_database(redis_url, cls.redis_database)
            redis_url = f"{redis_url}/{cls.redis_database}"
        database_url = postgres_url()
        if redis_url is None or database_url is None:
            raise unittest.SkipTest("TEST_REDIS_URL and TEST_POSTGRES_URL are needed")
        cls.database = ScratchPostgresDatabase(database_url)
        cls.keys = tempfile.mkdtemp(prefix="netra-cluster-keys-")
        env = {"NETRA_REDIS_URL": redis_url, "NETRA_DATABASE_URL": cls.database.url,
               "NETRA_AUTH_KEY_DIR": cls.keys}
        cls.instances = []
        try:
            cls.prepare(env)
            for index in range(cls.instance_count):
                cls.instances.append(NetraProcess(cls.instance_settings(index), env=env).start())
        except BaseException:
            cls.tearDownClass()
            raise
        cls.a, cls.b = cls.instances[:2]

    @classmethod
    def instance_settings(cls, index):
        """The settings of instance `index`."""
        return cls.settings

    @classmethod
    def prepare(cls, env):
        """What a class needs before its instances start (adds to `env` and cls.settings)."""

    @classmethod
    def tearDownClass(cls):
        for instance in getattr(cls, "instances", []):
            instance.cleanup()
        if getattr(cls, "clickhouse", None) is not None:
            cls.clickhouse.stop()
        if hasattr(cls, "database"):
            cls.database.drop()
        shutil.rmtree(getattr(cls, "keys", ""), ignore_errors=True)
        super().tearDownClass()

    async def asyncSetUp(self):
        self.clients = []

    async def asyncTearDown(self):
        for client in self.clients:
            await client.close()
        self.assert_instances_alive()

    def assert_instances_alive(self):
        """Every instance this class started still runs (a test that stops one restarts it): one
        that died mid-test is a crash to report with its log, not a refused request to guess at."""
        for index, instance in enumerate(self.instances):
            if instance.process is not None and instance.process.poll() is not None:
                self.fail(f"instance {index} exited with {instance.process.returncode}; its log "
                          f"ends:\n{instance.log()[-6000:]}")

    async def call(self, instance, method, path, body=None, token=None):
        return await asyncio.wait_for(
            asyncio.to_thread(instance.request, method, path, body, token), STEP_S + 5)

    async def json(self, instance, method, path, body=None, token=None, expect=200):
        return await asyncio.wait_for(
            asyncio.to_thread(instance.json_request, method, path, body, token, expect),
            STEP_S + 5)

    async def connect(self, url=None, token=None, instance=None):
        client = await Client.open(url or instance.ws_url, token)
        self.clients.append(client)
        return client

    async def login(self, instance):
        """A new account signed in on `instance`: (access token, refresh token)."""
        email, password, _ = await asyncio.wait_for(
            asyncio.to_thread(instance.new_user, "cluster"), STEP_S + 5)
        pair = await self.json(instance, "POST", "/auth/login",
                               {"email": email, "password": password})
        return pair["access_token"], pair["refresh_token"]

    async def assert_refused(self, client, code, close_code, what):
        answer = await client.recv()
        self.assertEqual((answer.get("type"), answer.get("code")), ("error", code), what)
        self.assertEqual(await client.closed(), (close_code, code), what)

    async def established(self, token, instance):
        client = await self.connect(token=token, instance=instance)
        greeting = await client.recv()
        self.assertEqual(greeting.get("type"), "connection_established", greeting)
        return client


class InstancesShareState(ClusterTestCase):
    """Three instances: tickets, logouts and run events (to sockets and event streams) across
    them."""

    instance_count = 3

    async def test_a_ticket_issued_by_one_instance_is_redeemed_once_on_any(self):
        access, _ = await self.login(self.a)
        ticket = await self.json(self.a, "POST", "/api/websocket/ticket", {}, token=access)
        on_b = f"{self.b.ws_url}?ticket={ticket['ticket_id']}"
        first = await self.connect(url=on_b)
        self.assertEqual((await first.recv())["type"], "connection_established")
        await first.request("ping")
        for instance in self.instances:
            again = await self.connect(url=f"{instance.ws_url}?ticket={ticket['ticket_id']}")
            await self.assert_refused(again, "AUTH_FAILED", 1008, "a ticket used twice")

    async def test_a_logout_on_one_instance_ends_the_login_on_the_other_within_a_second(self):
        access, refresh = await self.login(self.a)
        on_b = await self.connect(token=access, instance=self.b)
        self.assertEqual((await on_b.recv())["type"], "connection_established")
        self.assertEqual((await self.call(self.b, "GET", "/auth/me", token=access)).status, 200)
        await self.json(self.a, "POST", "/auth/logout", {"refresh_token": refresh}, token=access)
        logged_out = time.monotonic()
        answer = await on_b.recv()
        self.assertEqual((answer.get("type"), answer.get("code")), ("error", "SESSION_REVOKED"))
        self.assertEqual(await on_b.closed(), (4003, "SESSION_REVOKED"))
        self.assertLess(time.monotonic() - logged_out, 1.0, "B closed the socket too late")
        refused = await self.call(self.b, "GET", "/api/threads", token=access)
        self.assertEqual(refused.status, 401, refused)
        self.assertLess(time.monotonic() - logged_out, 1.5)
        late = await self.connect(token=access, instance=self.b)
        await self.assert_refused(late, "AUTH_FAILED", 1008, "a revoked login's socket on B")

    async def test_a_run_on_one_instance_streams_to_the_users_sockets_on_the_other(self):
        access, _ = await self.login(self.a)
        sender = await self.established(access, self.a)
        on_b = [await self.established(access, self.b) for _ in range(2)]
        bystander = await self.established((await self.login(self.b))[0], self.b)
        await sender.send("start_agent", {"user_request": COST_QUESTION})
        accepted = await next_of(sender, "run_accepted")
        run_id = accepted["run_id"]
        events = await run_events(sender, run_id)
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[-1]["type"], "agent_completed", events[-1])
        for client in on_b:
            self.assertEqual(await run_events(client, run_id), events,
                             "a socket on B heard other events, or out of order")
            await client.ping_ok("nothing more: no event twice")
        await bystander.ping_ok("another user on B hears nothing of the run")

    async def test_a_run_on_one_instance_streams_to_event_streams_on_the_other(self):
        access, _ = await self.login(self.a)
        live = await asyncio.to_thread(SseClient, self.b.port, "/api/events", access)
        self.addCleanup(live.close)
        self.assertEqual(live.status, 200)
        thread = await self.json(self.a, "POST", "/api/threads", {"title": "costs"}, token=access,
                                 expect=201)
        started = await self.json(self.a, "POST", f"/api/threads/{thread['id']}/runs",
                                  {"user_request": COST_QUESTION}, token=access, expect=202)
        run_id = started["run"]["id"]
        heard = []
        while not heard or heard[-1]["type"] not in ("agent_completed", "agent_error"):
            event = await asyncio.to_thread(live.next_event, 30)
            self.assertIsNotNone(event, "the stream on B ended before the run did")
            if event["json"].get("run_id") == run_id:
                heard.append(event["json"])
        stored = (await self.json(self.a, "GET", f"/api/runs/{run_id}", token=access))["steps"]
        self.assertEqual([(e["seq"], e["type"]) for e in heard],
                         [(s["seq"], s["type"]) for s in stored],
                         "B's stream missed, repeated or reordered events of A's run")
        self.assertEqual(heard[-1]["type"], "agent_completed")
        # The run's own stream, on B, resumes exactly after the id it is given.
        resumed = await asyncio.to_thread(SseClient, self.b.port, f"/api/runs/{run_id}/events",
                                          access, {"Last-Event-ID": "3"})
        self.addCleanup(resumed.close)
        rest = await asyncio.to_thread(resumed.events_to_end, 30)
        self.assertEqual([int(e["id"]) for e in rest], [s["seq"] for s in stored[3:]])

    async def test_an_instance_started_after_a_logout_refuses_that_login(self):
        access, refresh = await self.login(self.a)
        await self.json(self.a, "POST", "/auth/logout", {"refresh_token": refresh}, token=access)
        env = dict(self.a.extra_env)
        late = NetraProcess(self.settings, env=env).start()
        try:
            refused = await self.call(late, "GET", "/auth/me", token=access)
            self.assertEqual(refused.status, 401, refused)
        finally:
            late.cleanup()


class LoginLimitAcrossInstances(ClusterTestCase):
    """Login attempts spread over three instances meet one limit (per client address)."""

    settings = {"auth.login_limit_per_minute": "4"}
    instance_count = 3
    redis_database = 3

    async def test_attempts_on_three_instances_count_against_one_limit(self):
        attempt = {"email": "nobody@example.com", "password": "wrong password, every time"}
        for i in range(4):
            instance = self.instances[i % 3]
            answer = await self.call(instance, "POST", "/auth/login", attempt)
            self.assertEqual(answer.status, 401, f"attempt {i + 1}: {answer}")
        for instance in self.instances:
            refused = await self.call(instance, "POST", "/auth/login", attempt)
            self.assertEqual(refused.status, 429, refused)
            self.assertGreaterEqual(int(refused.headers["Retry-After"]), 55)


class ApiKeysAcrossInstances(ClusterTestCase):
    """An API key made on one instance works on all; deleted on one, it is refused there at once
    and on the others within a second (each remembers a key it verified, and forgets it when the
    deletion's revocation reaches it through Redis); its request rate is one count in Redis,
    whichever instance it calls."""

    settings = {"auth.api_key_requests_per_minute": "6"}
    instance_count = 3
    redis_database = 7

    async def make_key(self, instance, access, scopes):
        answer = await self.json(instance, "POST", "/api/keys", {"name": "app", "scopes": scopes},
                                 token=access, expect=201)
        return answer["key"]

    async def test_a_key_deleted_on_one_instance_is_refused_on_the_others_within_a_second(self):
        access, _ = await self.login(self.a)
        key = await self.make_key(self.a, access, ["read"])
        for instance in self.instances:  # each one remembers it now
            answer = await self.call(instance, "GET", "/api/threads", token=key["key"])
            self.assertEqual(answer.status, 200, answer)
        await self.json(self.a, "DELETE", f"/api/keys/{key['id']}", token=access)
        deleted = time.monotonic()
        refused = await self.call(self.a, "GET", "/api/threads", token=key["key"])
        self.assertEqual(refused.status, 401, "the instance that deleted it refuses it at once")
        for instance in (self.b, self.c):
            while True:
                answer = await self.call(instance, "GET", "/api/threads", token=key["key"])
                if answer.status == 401:
                    break
                self.assertEqual(answer.status, 200, answer)
                self.assertLess(time.monotonic() - deleted, 1.0, "still accepted after a second")
                await asyncio.sleep(0.01)
        heard = time.monotonic() - deleted
        for instance in self.instances:  # and never again
            refused = await self.call(instance, "GET", "/api/threads", token=key["key"])
            self.assertEqual(refused.status, 401, refused)
        print(f"deleted key refused everywhere {heard * 1000:.0f} ms after its deletion")
        listed = await self.json(self.b, "GET", "/api/keys", token=access)
        self.assertEqual(listed["keys"], [])

    async def test_a_keys_requests_on_three_instances_count_against_one_rate(self):
        access, _ = await self.login(self.a)
        key = await self.make_key(self.b, access, ["read"])
        for i in range(6):
            answer = await self.call(self.instances[i % 3], "GET", "/api/threads",
                                     token=key["key"])
            self.assertEqual(answer.status, 200, f"request {i + 1}: {answer}")
        for instance in self.instances:
            refused = await self.call(instance, "GET", "/api/threads", token=key["key"])
            self.assertEqual(refused.status, 429, refused)
            self.assertGreater(int(refused.headers["Retry-After"]), 0)
        # The owner's own access token is not limited by the key's rate.
        self.assertEqual((await self.call(self.c, "GET", "/api/threads", token=access)).status, 200)

    @property
    def c(self):
        return self.instances[2]


class McpAcrossInstances(ClusterTestCase):
    """An MCP session opened on one instance is served by every other (it holds no state: the
    caller is the bearer token's, the session id is bound to them); ended on one, it is refused
    there at once and on the others within a second (its end travels as a revocation through
    Redis)."""

    instance_count = 3

    async def mcp(self, instance, token, body, session=None, method="POST"):
        headers = {"Accept": "application/json, text/event-stream"}
        if session:
            headers["Mcp-Session-Id"] = session
        return await asyncio.wait_for(
            asyncio.to_thread(instance.request, method, "/mcp", body, token, headers), STEP_S + 5)

    async def test_a_session_is_served_everywhere_and_ended_everywhere(self):
        access, _ = await self.login(self.a)
        opened = await self.mcp(self.a, access, {
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "cluster", "version": "1"}}})
        self.assertEqual(opened.status, 200, opened)
        session = opened.headers["Mcp-Session-Id"]
        threads = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                   "params": {"name": "list_threads", "arguments": {}}}
        for instance in self.instances:
            answer = await self.mcp(instance, access, threads, session)
            self.assertEqual(answer.status, 200, answer)
            self.assertNotIn("isError", answer.json()["result"], answer)
        ended = await self.mcp(self.b, access, None, session, method="DELETE")
        self.assertEqual(ended.status, 204, ended)
        ended_at = time.monotonic()
        self.assertEqual((await self.mcp(self.b, access, threads, session)).status, 404)
        for instance in (self.a, self.c):
            while True:
                answer = await self.mcp(instance, access, threads, session)
                if answer.status == 404:
                    break
                self.assertEqual(answer.status, 200, answer)
                self.assertLess(time.monotonic() - ended_at, 1.0, "still served after a second")
                await asyncio.sleep(0.01)
        print(f"ended MCP session refused everywhere {(time.monotonic() - ended_at) * 1000:.0f} "
              "ms after its end")

    @property
    def c(self):
        return self.instances[2]


class SimultaneousStart(unittest.TestCase):
    """Three instances started at the same moment on an empty database: the migrations run once,
    and all three serve."""

    def test_three_instances_started_at_once_migrate_once(self):
        redis_url = _required_under_ci("TEST_REDIS_URL")
        database_url = postgres_url()
        if redis_url is None or database_url is None:
            raise unittest.SkipTest("TEST_REDIS_URL and TEST_POSTGRES_URL are needed")
        database = ScratchPostgresDatabase(database_url)
        keys = tempfile.mkdtemp(prefix="netra-cluster-keys-")
        env = {"NETRA_REDIS_URL": redis_url, "NETRA_DATABASE_URL": database.url,
               "NETRA_AUTH_KEY_DIR": keys}
        instances = [NetraProcess(env=env) for _ in range(3)]
        try:
            errors = []

            def start(instance):
                try:
                    instance.start()
                except BaseException as e:  # reported below, with the others
                    errors.append(e)

            threads = [threading.Thread(target=start, args=(i,)) for i in instances]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            self.assertEqual(errors, [])
            # Each migration is applied by exactly one of them (the lock may pass between them).
            applied = [name for i in instances
                       for name in re.findall(r"applied migration (\S+)", i.log())]
            self.assertGreater(len(applied), 0)
            self.assertEqual(len(applied), len(set(applied)), applied)
            versions = subprocess.run(
                ["/usr/bin/psql", database.url, "-tAc", "SELECT count(*) FROM schema_migrations"],
                capture_output=True, text=True, timeout=30, check=True).stdout.strip()
            self.assertEqual(versions, str(len(applied)), applied)
            for instance in instances:
                self.assertEqual(instance.request("GET", "/health/ready").status, 200)
            # One signing key for the three: a token from one is taken by the others.
            email, password, token = instances[0].new_user("simultaneous")
            for instance in instances[1:]:
                self.assertEqual(instance.request("GET", "/auth/me", token=token).status, 200)
        finally:
            for instance in instances:
                instance.cleanup()
            database.drop()
            shutil.rmtree(keys, ignore_errors=True)


class ClickHouseClusterTestCase(ClusterTestCase):
    """Instances that also share a ClickHouse of the class's own, which a test may freeze to hold
    a run in its data step; no tests."""

    clickhouse = None
    extra_settings = {}

    @classmethod
    def prepare(cls, env):
        if not clickhouse_available():
            raise unittest.SkipTest("TEST_CLICKHOUSE_URL is needed")
        cls.clickhouse = ScratchClickHouse()
        cls.settings = dict(cls.clickhouse.settings(), **cls.extra_settings)
        env.update(cls.clickhouse.env())


class LeasesAcrossInstances(ClickHouseClusterTestCase):
    """A run whose instance is killed is interrupted by another instance once its lease has
    lapsed — not before (the instance might be alive), and exactly once. ClickHouse, frozen,
    holds the run in its data step while its instance is killed."""

    instance_count = 3
    redis_database = 4

    async def test_a_killed_instances_run_is_interrupted_once_after_its_lease_lapses(self):
        access, _ = await self.login(self.a)
        sender = await self.established(access, self.a)
        self.clickhouse.freeze()
        try:
            await sender.send("start_agent", {"user_request": COST_QUESTION})
            run_id = (await next_of(sender, "run_accepted"))["run_id"]
            while (await next_of(sender, "tool_executing", timeout=30))["run_id"] != run_id:
                pass
            killed_at = time.monotonic()
            code = await asyncio.wait_for(asyncio.to_thread(self.a.kill), STEP_S + 5)
            self.assertEqual(code, -signal.SIGKILL)
        finally:
            self.clickhouse.thaw()
        others = self.instances[1:]
        # Its lease lives 10 s from its last renewal (every 3 s): for 6 s nobody may touch it.
        while time.monotonic() - killed_at < 6:
            for instance in others:
                run = await self.json(instance, "GET", f"/api/runs/{run_id}", token=access)
                self.assertEqual(run["status"], "running",
                                 f"interrupted {time.monotonic() - killed_at:.1f} s after the "
                                 "kill, while its lease could still be alive")
            await asyncio.sleep(0.5)
        while True:
            run = await self.json(self.b, "GET", f"/api/runs/{run_id}", token=access)
            if run["status"] != "running":
                break
            self.assertLess(time.monotonic() - killed_at, 40, "never interrupted")
            await asyncio.sleep(0.5)
        self.assertEqual(run["status"], "interrupted", run)
        self.assertIn("lease lapsed", run["error"])
        await asyncio.sleep(4)  # a sweep period more: nobody marks it again
        marked = sum(instance.log().count("run(s) whose instance stopped are now interrupted")
                     for instance in others)
        self.assertEqual(marked, 1, "the run was marked by more than one sweep")


def workload_events(count, model="gpt-4o"):
    """`count` valid workload events of the last minute."""
    now_ms = int(time.time() * 1000)
    return [{"timestamp": now_ms - i, "workload_id": "chat", "provider": "openai", "model": model,
             "input_tokens": 100, "output_tokens": 50, "latency_ms": 20, "cost_usd": 0.01}
            for i in range(count)]


class WorkloadsAcrossInstances(ClusterTestCase):
    """A user's ingest rate is one bucket for the cluster; a summary is cached for both
    instances and dropped when the user ingests on either, or a synthetic-data job writes; the
    job's progress reaches the user's sockets on both."""

    redis_database = 6
    settings = {"analytics.ingest_events_per_second": "1",
                "analytics.ingest_burst_events": "10000"}

    async def test_events_sent_to_both_instances_spend_one_rate(self):
        access, _ = await self.login(self.a)
        await self.json(self.a, "POST", "/api/workloads/events", workload_events(6000),
                        token=access)
        refused = await self.call(self.b, "POST", "/api/workloads/events", workload_events(6000),
                                  token=access)
        self.assertEqual(refused.status, 429, refused)
        self.assertEqual(refused.json()["error"]["code"], "rate_limited")
        # 2,000 events more than the 4,000 left, at 1 a second
        self.assertGreaterEqual(int(refused.headers.get("Retry-After")), 1990, refused.headers)
        self.assertLessEqual(int(refused.headers.get("Retry-After")), 2000, refused.headers)
        await self.json(self.b, "POST", "/api/workloads/events", workload_events(3900),
                        token=access)
        other, _ = await self.login(self.b)
        await self.json(self.b, "POST", "/api/workloads/events", workload_events(10000),
                        token=other)

    async def test_a_generation_queued_on_a_is_heard_on_b_and_drops_the_cached_summary(self):
        access, _ = await self.login(self.a)
        on_b = await self.established(access, self.b)
        before = await self.call(self.b, "GET", "/api/workloads/summary", token=access)
        self.assertEqual(before.json()["groups"], [])
        job = (await self.json(self.a, "POST", "/api/generation/synthetic",
                               {"template": "enterprise-search", "events": 15000, "days": 3},
                               token=access, expect=202))["job"]
        heard = []
        while not heard or heard[-1]["type"] not in ("generation_completed", "generation_failed"):
            message = await on_b.recv(timeout=120)
            if message.get("data", {}).get("job_id") == job["id"]:
                heard.append(message)
        self.assertEqual([m["type"] for m in heard],
                         ["generation_started", "generation_progress", "generation_progress",
                          "generation_completed"], heard)
        self.assertEqual(heard[-1]["data"]["events"], 15000)
        # Whichever instance ran it, the summary both keep is dropped: B counts every event.
        after = await self.call(self.b, "GET", "/api/workloads/summary", token=access)
        self.assertEqual(after.headers.get("Cache-Status"), "netra; fwd=miss")
        self.assertEqual(sum(g["requests"] for g in after.json()["groups"]), 15000)
        done = await self.json(self.b, "GET", f"/api/jobs/{job['id']}", token=access)
        self.assertEqual(done["job"]["state"], "succeeded")

    async def test_a_summary_is_cached_for_both_and_dropped_by_an_ingest_on_either(self):
        access, _ = await self.login(self.a)
        await self.json(self.a, "POST", "/api/workloads/events", workload_events(3), token=access)
        first = await self.call(self.a, "GET", "/api/workloads/summary", token=access)
        self.assertEqual(first.headers.get("Cache-Status"), "netra; fwd=miss")
        calls = first.json()["groups"][0]["requests"]
        self.assertEqual(calls, 3, first.json())
        on_b = await self.call(self.b, "GET", "/api/workloads/summary", token=access)
        self.assertEqual(on_b.headers.get("Cache-Status"), "netra; hit", "B reads A's answer")
        self.assertEqual(on_b.json(), first.json())
        other, _ = await self.login(self.b)
        theirs = await self.call(self.b, "GET", "/api/workloads/summary", token=other)
        self.assertEqual((theirs.headers.get("Cache-Status"), theirs.json()["groups"]),
                         ("netra; fwd=miss", []), "another user never reads hers")
        await self.json(self.b, "POST", "/api/workloads/events", workload_events(2), token=access)
        after = await self.call(self.a, "GET", "/api/workloads/summary", token=access)
        self.assertEqual(after.headers.get("Cache-Status"), "netra; fwd=miss")
        self.assertEqual(after.json()["groups"][0]["requests"], 5, after.json())
        by_provider = await self.call(self.a, "GET", "/api/workloads/summary?group_by=provider",
                                      token=access)
        self.assertEqual(by_provider.headers.get("Cache-Status"), "netra; fwd=miss",
                         "each grouping is its own entry")


class PerUserLimitsAcrossInstances(ClickHouseClusterTestCase):
    """Three instances: websocket.max_connections_per_user and agents.max_runs_per_user count a
    user's sockets and runs on all of them; a run on A streams to the user's sockets on B and C,
    and a cancel sent to C stops it; an instance that stops frees its sockets' places at once.
    ClickHouse, frozen, holds a run in its data step."""

    instance_count = 3
    redis_database = 5
    extra_settings = {"websocket.max_connections_per_user": "3", "agents.max_runs_per_user": "1"}

    async def test_a_users_sockets_on_every_instance_meet_one_limit(self):
        a, b, c = self.instances
        access, _ = await self.login(a)
        await self.established(access, a)
        await self.established(access, b)
        on_c = await self.established(access, c)
        fourth = await self.connect(token=access, instance=a)
        answer = await fourth.recv()
        self.assertEqual((answer.get("type"), answer.get("code")),
                         ("error", "TOO_MANY_CONNECTIONS"), answer)
        self.assertIn("across the instances", answer.get("message", ""))
        self.assertEqual(await fourth.closed(), (1008, "TOO_MANY_CONNECTIONS"))
        other, _ = await self.login(b)
        await self.established(other, a)  # another user is not held up by her
        await on_c.close()
        closed_at = time.monotonic()
        while True:  # the place is given back as the socket closes: within moments
            again = await self.connect(token=access, instance=a)
            answer = await again.recv()
            if answer.get("type") == "connection_established":
                break
            self.assertLess(time.monotonic() - closed_at, 2, "the closed socket's place stayed")
            await asyncio.sleep(0.1)

    async def test_a_run_on_a_streams_to_b_and_c_is_the_users_only_one_and_c_cancels_it(self):
        a, b, c = self.instances
        access, _ = await self.login(a)
        on_a, on_b, on_c = [await self.established(access, i) for i in (a, b, c)]
        self.clickhouse.freeze()
        try:
            await on_a.send("start_agent", {"user_request": COST_QUESTION})
            held = (await next_of(on_a, "run_accepted"))["run_id"]
            # B and C hear the held run's events meanwhile: kept, to compare with A's below
            heard = {on_b: [], on_c: []}
            await on_b.send("start_agent", {"user_request": COST_QUESTION})
            refused = await next_of(on_b, "agent_error", skipped=heard[on_b])
            self.assertEqual(refused["data"]["code"], "TOO_MANY_RUNS", refused)
            self.assertNotEqual(refused["run_id"], held)
            await on_c.send("stop_agent", {"run_id": held})
            await next_of(on_c, "agent_stopped", skipped=heard[on_c])
        finally:
            self.clickhouse.thaw()
        events = await run_events(on_a, held)
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(events[-1]["data"]["code"], "CANCELLED", events[-1])
        for elsewhere, early in heard.items():
            early = [m for m in early if m.get("run_id") == held]
            self.assertEqual(early + await run_events(elsewhere, held), events,
                             "a socket on B or C heard other events, or out of order")
        # its place is free again: a run started on B completes
        await on_b.send("start_agent", {"user_request": COST_QUESTION})
        accepted = await next_of(on_b, "run_accepted")
        self.assertEqual(accepted["status"], "started")
        self.assertEqual((await run_events(on_b, accepted["run_id"]))[-1]["type"],
                         "agent_completed")

    async def test_an_instance_that_stops_gives_back_its_sockets_places_at_once(self):
        a, b, c = self.instances
        access, _ = await self.login(c)
        on_c = [await self.established(access, c) for _ in range(3)]
        try:
            code = await asyncio.wait_for(asyncio.to_thread(c.stop), 60)
            self.assertEqual(code, 0)
            for socket in on_c:
                self.assertEqual((await socket.closed())[0], 1001)
            # The user's whole limit at once elsewhere: C gave its places back before it closed
            # Redis (left there, they would count for 30 s, until they lapse).
            for instance in (a, b, a):
                await self.established(access, instance)
        finally:
            await asyncio.wait_for(asyncio.to_thread(c.start), 60)


REDIS_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                            "redis-test-server")


class RedisOutage(ClusterTestCase):
    """Redis frozen (SIGSTOP) and thawed, then restarted, while two instances take traffic: no
    request waits past Redis's command deadline, every request is answered as without Redis, nothing
    acknowledged is lost, and the instances share state again once Redis is back."""

    redis = None

    @classmethod
    def prepare(cls, env):
        result = subprocess.run([REDIS_SCRIPT], capture_output=True, text=True, timeout=30,
                                check=True)
        cls.redis = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        env["NETRA_REDIS_URL"] = cls.redis["TEST_REDIS_URL"]

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        if cls.redis:
            subprocess.run([REDIS_SCRIPT, "stop", cls.redis["TEST_REDIS_DIR"]], timeout=30)

    def redis_signal(self, sig):
        with open(os.path.join(self.redis["TEST_REDIS_DIR"], "pid")) as f:
            os.kill(int(f.read().strip()), sig)

    def redis_breaker(self, instance):
        health = instance.json_request("GET", "/health")
        return {b["name"]: b["state"] for b in health["breakers"]}.get("redis")

    async def test_a_frozen_then_restarted_redis_costs_no_request_and_nothing_acknowledged(self):
        access, _ = await self.login(self.a)
        stop = threading.Event()
        acknowledged, problems, slowest = [], [], []

        def traffic():
            n = 0
            while not stop.is_set():
                n += 1
                instance = (self.a, self.b)[n % 2]
                started = time.monotonic()
                try:
                    if n % 3 == 0:
                        answer = instance.request("POST", "/api/websocket/ticket", {}, access)
                        expected = 200
                    else:
                        answer = instance.request("POST", "/api/threads", {"title": f"t{n}"},
                                                  access)
                        expected = 201
                        if answer.status == 201:
                            acknowledged.append(answer.json()["id"])
                    took = time.monotonic() - started
                    slowest.append(took)
                    if answer.status != expected or took > 2.5:
                        problems.append((answer.status, round(took, 2), answer.body[:200]))
                except OSError as e:
                    problems.append(("error", instance.port, type(e).__name__, str(e)))

        workers = [threading.Thread(target=traffic) for _ in range(3)]
        for w in workers:
            w.start()
        try:
            await asyncio.sleep(1)
            self.redis_signal(signal.SIGSTOP)
            await asyncio.sleep(4)
            self.redis_signal(signal.SIGCONT)
            await asyncio.sleep(2)
            subprocess.run([REDIS_SCRIPT, "restart", self.redis["TEST_REDIS_DIR"]], timeout=30,
                           check=True)
            await asyncio.sleep(3)
        finally:
            stop.set()
            for w in workers:
                w.join(30)
        self.assert_instances_alive()
        kinds = collections.Counter(p[:3] if p[0] == "error" else (p[0], p[2][:80])
                                    for p in problems)
        self.assertEqual(problems[:20], [], f"{len(problems)} problems by kind {dict(kinds)}; "
                         f"{len(acknowledged)} threads acknowledged")
        self.assertGreater(len(acknowledged), 20)
        # The outage was felt (a request met Redis's 1 s command deadline), and cost no more.
        self.assertGreater(max(slowest), 0.5)
        listed, offset = set(), 0
        while True:
            page = await self.json(self.b, "GET", f"/api/threads?limit=100&offset={offset}",
                                   token=access)
            listed.update(t["id"] for t in page)
            offset += 100
            if len(page) < 100:
                break
        self.assertEqual(set(acknowledged) - listed, set(), "an acknowledged thread is missing")
        # Healed by itself: the breakers close, and a logout on A reaches B again.
        deadline = time.monotonic() + 20
        for instance in (self.a, self.b):
            while await asyncio.to_thread(self.redis_breaker, instance) != "closed":
                self.assertLess(time.monotonic(), deadline, "the redis breaker never closed again")
                await asyncio.sleep(0.5)
        fresh, refresh = await self.login(self.a)
        await self.json(self.a, "POST", "/auth/logout", {"refresh_token": refresh}, token=fresh)
        await asyncio.sleep(1)
        self.assertEqual((await self.call(self.b, "GET", "/auth/me", token=fresh)).status, 401)



HAPROXY_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy",
                              "haproxy.cfg")



class RollingRestart(ClusterTestCase):
    """Three instances behind HAProxy (deploy/haproxy.cfg) restarted one after the other under
    load: no request fails, counted by the client; sockets closed with 1001 reconnect through
    another instance."""

    instance_count = 3
    redis_database = 5

    @classmethod
    def prepare(cls, env):
        cls.ports = [free_port() for _ in range(3)]
        cls.settings = {"server.drain_delay_ms": "2000"}
        cls.lb_port, stats_port = free_port(), free_port()
        cls.stats_url = f"http://127.0.0.1:{stats_port}/;csv"
        cls.haproxy_log = tempfile.NamedTemporaryFile(prefix="haproxy-", suffix=".log", delete=False)
        lb_env = dict(os.environ, NETRA_LB_BIND=f"127.0.0.1:{cls.lb_port}",
                      NETRA_LB_STATS=f"127.0.0.1:{stats_port}",
                      **{f"NETRA_{i + 1}": f"127.0.0.1:{p}" for i, p in enumerate(cls.ports)})
        cls.haproxy = subprocess.Popen(["/usr/sbin/haproxy", "-f", HAPROXY_CONFIG], env=lb_env,
                                       stdout=cls.haproxy_log, stderr=subprocess.STDOUT)

    @classmethod
    def instance_settings(cls, index):
        # Each instance on a port of its own, kept across its restart (HAProxy's list is fixed).
        return dict(cls.settings, **{"server.port": str(cls.ports[index])})

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "haproxy", None) is not None:
            cls.haproxy.terminate()
            cls.haproxy.wait(timeout=10)
        super().tearDownClass()

    def backend_states(self):
        """netra1..3 -> UP / DOWN / … as HAProxy's stats say."""
        with urllib.request.urlopen(self.stats_url, timeout=5) as answer:
            rows = list(csv.reader(io.StringIO(answer.read().decode().lstrip("# "))))
        header = rows[0]
        return {r[header.index("svname")]: r[header.index("status")] for r in rows[1:]
                if r and r[0] == "netra" and r[1].startswith("netra")}

    def wait_until_all_up(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            states = self.backend_states()
            if all(v.startswith("UP") for v in states.values()) and len(states) == 3:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"HAProxy never saw every instance up: {states}")
            time.sleep(0.2)

    def through_lb(self, method, path, body=None, token=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.lb_port, timeout=10)
        try:
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers=headers)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    async def test_a_rolling_restart_under_load_fails_no_request(self):
        await asyncio.to_thread(self.wait_until_all_up)
        access, _ = await self.login(self.a)
        stop = threading.Event()
        outcomes = {"ok": 0, "failed": []}

        def load():
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    if n % 4 == 0:
                        status, body = self.through_lb("POST", "/api/threads",
                                                       {"title": f"t{n}"}, access)
                        expected = 201
                    else:
                        status, body = self.through_lb("GET", "/api/threads?limit=5", None, access)
                        expected = 200
                    if status == expected:
                        outcomes["ok"] += 1
                    else:
                        outcomes["failed"].append((status, body[:200]))
                except OSError as e:
                    outcomes["failed"].append(("error", str(e)))

        workers = [threading.Thread(target=load) for _ in range(4)]
        for w in workers:
            w.start()
        lb_ws = f"ws://127.0.0.1:{self.lb_port}/ws"
        # Another account's sockets: every thread the load creates is a thread_created event on
        # the load's user's sockets, and these sockets are read only between restarts — a socket
        # that does not read cannot be sent its close frame (1006 instead of 1001).
        socket_access, _ = await self.login(self.a)
        sockets = [await self.connect(url=lb_ws, token=socket_access) for _ in range(3)]
        for s_ in sockets:
            self.assertEqual((await s_.recv())["type"], "connection_established")
        closes = []
        try:
            for instance in self.instances:
                code = await asyncio.wait_for(asyncio.to_thread(instance.stop), 60)
                self.assertEqual(code, 0, instance.log()[-2000:])
                await asyncio.wait_for(asyncio.to_thread(instance.start), 60)
                await asyncio.wait_for(asyncio.to_thread(self.wait_until_all_up), 40)
                # Sockets whose instance stopped were closed with 1001: they reconnect.
                for i, s_ in enumerate(sockets):
                    if s_.ws.closed:
                        closes.append(s_.ws.close_code)
                        sockets[i] = await self.connect(url=lb_ws, token=socket_access)
                        greeting = await sockets[i].recv()
                        self.assertEqual(greeting["type"], "connection_established", greeting)
        finally:
            stop.set()
            for w in workers:
                w.join(30)
        self.assertEqual(outcomes["failed"], [], f"{outcomes['ok']} succeeded")
        self.assertGreater(outcomes["ok"], 100)
        self.assertTrue(closes, "no socket was closed by a restart")
        self.assertEqual(set(closes), {1001}, closes)
        for s_ in sockets:
            await s_.request("ping")



if __name__ == "__main__":
    unittest.main()
