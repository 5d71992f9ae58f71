"""End-to-end tests of agent runs against the real `netra serve` process, over real sockets.

A run is asked for over the socket (start_agent, user_message) or REST, and heard on every socket
of its user: agent_started, then each step (triage, data, optimization, actions, reporting) with
tool events around every data query, then agent_completed with the report, which is stored as the
assistant's message. The limits (BUSY, RUN_ACTIVE), stop_agent, a crash mid-run and a ClickHouse
outage are driven with a ClickHouse of the test's own (scripts/clickhouse-test-server): frozen
with SIGSTOP it takes connections and never answers, which holds a run in its data step for as
long as analytics.timeout_ms; stopped, it refuses connections.

Run: NETRA_BIN=build/debug/netra /usr/bin/python3 -m unittest -v agents_e2e_test (in this
folder), or through ctest (`ctest --preset debug -R agents_e2e`). The ClickHouse classes are
skipped without TEST_CLICKHOUSE_URL (scripts/test sets it).
"""

import asyncio
import http.server
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from netra_process import (NetraProcess, ScratchClickHouse, clickhouse_available,
                           make_test_certificates)
from ws_e2e_test import STEP_S, UNKNOWN_THREAD, PostgresMixin, ServerTestCase

RUN_S = 60.0  # the longest a whole run may take here (ASan build, a 3 s ClickHouse timeout)
STEPS = ["triage", "data", "optimization", "actions", "reporting"]
RUN_EVENTS = {"agent_started", "agent_thinking", "tool_executing", "tool_completed",
              "agent_response_chunk", "agent_completed", "agent_error"}
COST_QUESTION = "How can I cut my LLM costs over the last 14 days?"


async def run_events(client, run_id, timeout=RUN_S):
    """The events of `run_id` on this socket, up to and including its last (agent_completed or
    agent_error); other messages are skipped."""
    events = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"run {run_id} did not end within {timeout} s: {events}")
        message = await client.recv(timeout=left)
        if message.get("run_id") != run_id or message.get("type") not in RUN_EVENTS:
            continue
        events.append(message)
        if message["type"] in ("agent_completed", "agent_error"):
            return events


async def next_of(client, type_, timeout=STEP_S, skipped=None):
    """The next message of that type on the socket; others are skipped (appended to `skipped`
    when it is a list)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {type_} within {timeout} s")
        message = await client.recv(timeout=left)
        if message.get("type") == type_:
            return message
        if skipped is not None:
            skipped.append(message)


class AgentServerTestCase(ServerTestCase):
    agents = True

    async def user_with_data(self, prefix="agent", events=3000, days=14, overrides=None):
        """A new account with a synthetic workload written by `netra demo-data`."""
        email, password, token = await asyncio.wait_for(
            asyncio.to_thread(self.server.new_user, prefix), STEP_S + 5)
        args = ["demo-data", "--email", email, "--days", str(days), "--events", str(events)]
        output = await asyncio.wait_for(
            asyncio.to_thread(self.server.run_command, args, 120, overrides), 130)
        self.assertIn(email, output)
        return token

    async def get_run(self, run_id, token):
        return await self.http("GET", f"/api/runs/{run_id}", token=token)

    async def ended_run(self, run_id, token, timeout=RUN_S):
        """The run once the store holds it ended, polled over REST: for a run whose events a
        socket may already have passed while the test waited for something else."""
        deadline = time.monotonic() + timeout
        while True:
            run = await self.get_run(run_id, token)
            if run["status"] not in ("queued", "running"):
                return run
            if time.monotonic() > deadline:
                raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")
            await asyncio.sleep(0.2)

    def assert_step_order(self, events, completed=True):
        """agent_started, then the steps in order (tool events inside the data step only), then
        agent_completed; seq counts 1, 2, 3… without gaps."""
        types = [e["type"] for e in events]
        self.assertEqual(types[0], "agent_started", types)
        self.assertEqual(types[-1], "agent_completed" if completed else "agent_error", types)
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)), types)
        thinking = [e for e in events if e["type"] == "agent_thinking"]
        self.assertEqual([e["data"]["step"] for e in thinking], STEPS[:len(thinking)])
        self.assertEqual([e["data"]["step_number"] for e in thinking],
                         list(range(1, len(thinking) + 1)))
        self.assertEqual([e["agent_name"] for e in thinking], STEPS[:len(thinking)])
        progress = [e["data"]["progress"] for e in thinking]
        self.assertEqual(progress, sorted(progress))
        # Tool events come in pairs: the data queries inside the data step, the language model's
        # summary (when one is configured) inside the reporting step.
        tools = [i for i, t in enumerate(types) if t.startswith("tool_")]
        pairs = [types[i] for i in tools]
        self.assertEqual(pairs, ["tool_executing", "tool_completed"] * (len(pairs) // 2), types)
        step_at = {e["data"]["step"]: i for i, e in enumerate(events)
                   if e["type"] == "agent_thinking"}
        for i in tools:
            tool = events[i]["data"]["tool"]
            step = "data" if tool.startswith("analytics.") else "reporting"
            self.assertEqual(tool.startswith("analytics.") or tool in ("llm_summary", "llm_title"),
                             True, tool)
            self.assertGreater(i, step_at[step], types)
            after = [at for name, at in step_at.items() if at > step_at[step]]
            if after:
                self.assertLess(i, min(after), types)
        for i in tools[::2]:
            self.assertEqual(events[i]["data"]["tool"], events[i + 1]["data"]["tool"])


# --- runs on the embedded analytics store -----------------------------------------------------

class AgentRuns(AgentServerTestCase):

    async def test_a_run_reaches_every_socket_in_step_order_and_stores_its_report(self):
        token = await self.user_with_data()
        bystander = await self.established(await self.user("bystander"))
        sender = await self.established(token)
        second = await self.established(subprotocols=[f"jwt.{token}"])

        await sender.send("start_agent", {"user_request": COST_QUESTION})
        accepted = await next_of(sender, "run_accepted")
        self.assertEqual(accepted["status"], "started", accepted)
        run_id, thread_id = accepted["run_id"], accepted["thread_id"]
        self.assertRegex(run_id, r"^run_")
        events = await run_events(sender, run_id)
        self.assert_step_order(events)
        self.assertEqual(await run_events(second, run_id), events, "every socket hears the same")
        self.assertGreaterEqual(sum(e["type"] == "tool_executing" for e in events), 4)
        for e in events:
            self.assertEqual(e["thread_id"], thread_id)

        done = events[-1]["data"]
        self.assertIsInstance(done["execution_time_ms"], int)
        result = done["result"]
        self.assertEqual(result["triage"]["intent"], "cost", result["triage"])
        self.assertEqual(result["data"]["backend"], "embedded")
        self.assertTrue(result["data"]["completeness"]["sufficient"], result["data"]["completeness"])
        recommendations = result["optimization"]["recommendations"]
        self.assertGreater(len(recommendations), 0, result["optimization"])
        self.assertGreater(result["optimization"]["monthly_saving_usd"], 0)
        self.assertIn("## ", done["report"])

        # Stored as it happened: the run, its steps (the events exactly), the report as the
        # assistant's message after the user's request.
        run = await self.get_run(run_id, token)
        self.assertEqual(run["status"], "completed", run)
        stored = [dict(s) for s in run["steps"]]
        for s in stored:
            s.pop("created_at")
        self.assertEqual(stored, events)
        messages = await self.http("GET", f"/api/threads/{thread_id}/messages", token=token)
        self.assertEqual([m["role"] for m in messages["messages"]], ["user", "assistant"])
        self.assertEqual(messages["messages"][0]["content"], COST_QUESTION)
        self.assertEqual(messages["messages"][1]["content"], done["report"])
        self.assertEqual(messages["messages"][1]["id"], result["message_id"])
        # The report arrived as it was written, section by section, before agent_completed:
        # the chunks, in order, are the stored message.
        chunks = [e for e in events if e["type"] == "agent_response_chunk"]
        self.assertGreaterEqual(len(chunks), 3)
        self.assertEqual([c["data"]["index"] for c in chunks], list(range(len(chunks))))
        self.assertEqual([c["data"].get("last", False) for c in chunks],
                         [False] * (len(chunks) - 1) + [True])
        first_chunk = events.index(chunks[0])
        self.assertEqual([e["type"] for e in events[first_chunk:]],
                         ["agent_response_chunk"] * len(chunks) + ["agent_completed"])
        # Without a language model each chunk follows the one before.
        written = ""
        for c in chunks:
            self.assertEqual(c["data"]["offset"], len(written.encode()))
            written += c["data"]["text"]
        self.assertEqual(written, messages["messages"][1]["content"])
        await bystander.ping_ok("another user hears nothing of the run")

    async def test_a_run_opens_and_titles_a_thread_and_keeps_a_title_its_owner_gave(self):
        token = await self.user_with_data("titles")
        sender = await self.established(token)
        other = await self.established(token)
        await sender.send("start_agent",
                          {"user_request": "How can I cut my gpt-4o costs over the last 30 days?"})
        accepted = await next_of(sender, "run_accepted")
        heard = []
        await next_of(other, "agent_completed", timeout=RUN_S, skipped=heard)
        types = [m["type"] for m in heard]
        self.assertIn("thread_created", types)
        self.assertLess(types.index("thread_created"), types.index("agent_started"), types)
        created = heard[types.index("thread_created")]["thread"]
        self.assertEqual(created["id"], accepted["thread_id"])
        renamed = [m["thread"] for m in heard if m["type"] == "thread_renamed"]
        self.assertEqual([(t["id"], t["title"]) for t in renamed],
                         [(accepted["thread_id"], "Cut gpt-4o costs — last 30 days")])
        thread = await self.http("GET", f"/api/threads/{accepted['thread_id']}", token=token)
        self.assertEqual(thread["title"], "Cut gpt-4o costs — last 30 days")

        named = await self.http("POST", "/api/threads", {"title": "Mine"}, token=token,
                                expect=201)
        await sender.send("start_agent", {"thread_id": named["id"],
                                          "user_request": COST_QUESTION})
        heard = []
        await next_of(other, "agent_completed", timeout=RUN_S, skipped=heard)
        self.assertNotIn("thread_renamed", [m["type"] for m in heard])
        thread = await self.http("GET", f"/api/threads/{named['id']}", token=token)
        self.assertEqual(thread["title"], "Mine")

    async def test_user_message_starts_a_run(self):
        token = await self.user_with_data()
        client = await self.established(token)
        # A message without a thread opens one: every socket of the user hears of it first.
        await client.send("user_message", {"message": "Which model should I use for summaries?"})
        opened = await client.recv()
        self.assertEqual(opened["type"], "thread_created", opened)
        saved = await client.recv()
        self.assertEqual(saved["type"], "message_saved", saved)
        self.assertEqual(saved["thread_id"], opened["thread"]["id"])
        self.assertEqual(saved["agent"], "started", saved)
        events = await run_events(client, saved["run_id"])
        self.assert_step_order(events)
        self.assertEqual(events[-1]["data"]["result"]["triage"]["intent"], "model_choice")
        await client.ping_ok()

    async def test_too_little_data_says_so_instead_of_inventing_numbers(self):
        token = await self.user("empty")
        client = await self.established(token)
        await client.send("start_agent", {"user_request": COST_QUESTION})
        run_id = (await next_of(client, "run_accepted"))["run_id"]
        events = await run_events(client, run_id)
        self.assert_step_order(events)
        result = events[-1]["data"]["result"]
        self.assertFalse(result["data"]["completeness"]["sufficient"])
        self.assertEqual(result["optimization"]["recommendations"], [])
        report = events[-1]["data"]["report"]
        self.assertIn("not enough data", report)
        self.assertIn("/api/workloads/events", report)
        self.assertNotIn("$", report.split("## Summary", 1)[1].split("##", 1)[0])

    async def test_an_answer_meets_the_request_and_a_follow_up_keeps_its_context(self):
        token = await self.user_with_data("goals", events=10000, days=30)
        client = await self.established(token)

        async def ask(question, thread_id=None):
            payload = {"user_request": question}
            if thread_id:
                payload["thread_id"] = thread_id
            await client.send("start_agent", payload)
            accepted = await next_of(client, "run_accepted")
            events = await run_events(client, accepted["run_id"])
            self.assertEqual(events[-1]["type"], "agent_completed", events[-1])
            return accepted["thread_id"], events[-1]["data"]

        thread, done = await ask("How can I cut my LLM costs by 30% without hurting latency?")
        result, report = done["result"], done["report"]
        # The target: met exactly when the saving found is 30% of the spend, and the report says
        # which, with the share the run's own figures give.
        opt = result["optimization"]
        target = result["target"]
        share = opt["monthly_saving_usd"] / opt["monthly_spend_usd"]
        self.assertAlmostEqual(target["planned_share"], share, places=9)
        self.assertEqual(target["met"], share >= 0.3)
        self.assertIn("**met**" if target["met"] else "**not met**", report)
        self.assertIn(f"({share * 100:.1f}% of ", report)
        self.assertEqual(result["triage"]["intent"], "cost")
        self.assertTrue(result["triage"]["goals"]["keep_latency"])
        # No model switch left in the plan is slower at p99 in the user's data.
        p99 = {}
        for row in report.split("### By model", 1)[1].split("###", 1)[0].splitlines():
            cells = [c.strip() for c in row.strip("|").split("|")]
            if len(cells) == 8 and cells[0].startswith("`"):
                p99[cells[0].strip("`").split("-2024")[0]] = int(cells[5].replace(",", "")[:-3])
        # ...and each one left out is slower there (or the proposed model has no calls at all).
        switches = [each for r in opt["recommendations"] for each in r.get("covers", [r])
                    if each["kind"] == "model_switch"]
        for each in switches:
            self.assertLessEqual(p99[each["suggested_model"]], p99[each["current_model"]])
        left_out = [e for e in opt["excluded"] if e["kind"] == "model_switch"]
        self.assertTrue(switches or left_out, "the demo data proposes a model switch")
        for each in left_out:
            if each["suggested_model"] in p99:
                self.assertGreater(p99[each["suggested_model"]], p99[each["current_model"]])
                self.assertIn("slower at p99", each["excluded_because"])
            else:
                self.assertIn("no call to", each["excluded_because"])
        for e in opt["excluded"]:
            self.assertIn(e["excluded_because"], report)
        # Recommendations of one kind are one, listing every model it covers.
        kinds = [r["kind"] for r in opt["recommendations"]]
        self.assertEqual(len(kinds), len(set(kinds)), kinds)
        latency = [r for r in opt["recommendations"] if r["kind"] == "latency"]
        self.assertEqual(len(latency), 1, kinds)
        self.assertGreaterEqual(len(latency[0]["covers"]), 2, latency[0])
        for covered in latency[0]["covers"]:
            self.assertIn(f"| `{covered['target']}` |", report)

        # A follow-up in the thread keeps the period and the goals, from the stored report.
        _, done = await ask("and only for support-chat?", thread)
        triage = done["result"]["triage"]
        self.assertEqual(triage["workloads"], ["support-chat"])
        self.assertEqual(triage["window"]["from_ms"], result["triage"]["window"]["from_ms"])
        self.assertTrue(triage["goals"]["keep_latency"])
        self.assertIn("A follow-up: from the previous report in this thread", done["report"])
        self.assertIn("## Since the previous report", done["report"])
        self.assertTrue(done["report"].split("## Summary", 1)[1].startswith("\n\n- `support-chat`"))

        # A what-if is computed; a question outside the agent's work gets no figures.
        _, done = await ask("Should I switch doc-summarizer to claude-3-5-haiku?")
        what_if = done["result"]["what_if"]
        self.assertEqual(what_if["target_model"], "claude-3-5-haiku")
        self.assertLess(what_if["monthly_cost_after_usd"], what_if["monthly_cost_usd"])
        self.assertIn(f"{what_if['monthly_cost_after_usd']:,.2f} a month** instead of "
                      f"${what_if['monthly_cost_usd']:,.2f}", done["report"])
        _, done = await ask("what's the weather?")
        self.assertNotIn("$", done["report"])
        self.assertIn("outside", done["report"])

    async def test_rest_starts_a_run_that_the_socket_hears(self):
        token = await self.user_with_data()
        client = await self.established(token)
        thread = await self.http("POST", "/api/threads", {"title": "costs"}, token=token,
                                 expect=201)
        started = await self.http("POST", f"/api/threads/{thread['id']}/runs",
                                  {"user_request": COST_QUESTION}, token=token, expect=202)
        run_id = started["run"]["id"]
        self.assertEqual(started["thread_id"], thread["id"])
        self.assertIn(started["agent"], ("started", "queued"))
        events = await run_events(client, run_id)
        self.assert_step_order(events)
        self.assertEqual((await self.get_run(run_id, token))["status"], "completed")
        # a finished run cannot be cancelled; bad input and other users' threads are refused
        again = await self.raw_http("POST", f"/api/runs/{run_id}/cancel", {}, token=token)
        self.assertEqual(again.status, 409, again)
        self.assertEqual(again.json()["error"]["code"], "run_not_active")
        bad = await self.raw_http("POST", f"/api/threads/{thread['id']}/runs", {}, token=token)
        self.assertEqual(bad.status, 400, bad)
        self.assertIn("user_request", json.dumps(bad.json()))
        other = await self.user("other")
        for path in (f"/api/threads/{thread['id']}/runs", f"/api/threads/{UNKNOWN_THREAD}/runs"):
            answer = await self.raw_http("POST", path, {"user_request": "mine?"}, token=other)
            self.assertEqual(answer.status, 404, answer)
        unauthenticated = await self.raw_http("POST", f"/api/threads/{thread['id']}/runs",
                                              {"user_request": "x"})
        self.assertEqual(unauthenticated.status, 401)
        config = await self.http("GET", "/api/config/public")
        self.assertEqual(config["features"]["agents"], True)


class AgentRunsPostgres(PostgresMixin, AgentRuns):
    """The same runs with the chat stores and the embedded analytics table on PostgreSQL."""


# --- as many runs at once as the supervisor allows, and a store that refuses a run's steps -----

class AgentsAtOnce(AgentServerTestCase):
    """Eight users start a run each at the same moment (the supervisor's default limit): on the
    embedded database every run must complete and every socket hear its agent_completed."""

    RUNS = 8

    async def test_eight_runs_started_at_once_all_complete(self):
        tokens = [await self.user_with_data(f"atonce{i}", events=1500) for i in range(self.RUNS)]
        clients = [await self.established(token) for token in tokens]
        await asyncio.gather(*(c.send("start_agent", {"user_request": COST_QUESTION})
                               for c in clients))
        accepted = await asyncio.gather(*(next_of(c, "run_accepted") for c in clients))
        self.assertEqual([a["status"] for a in accepted], ["started"] * self.RUNS, accepted)
        ended = await asyncio.gather(*(run_events(c, a["run_id"])
                                       for c, a in zip(clients, accepted)))
        for events in ended:
            self.assertEqual(events[-1]["type"], "agent_completed", events[-1])
            self.assert_step_order(events)
        for token, a in zip(tokens, accepted):
            self.assertEqual((await self.get_run(a["run_id"], token))["status"], "completed")
        health = await self.http("GET", "/health")
        breaker = next(b for b in health["breakers"] if b["name"] == "database")
        self.assertEqual((breaker["state"], breaker["times_opened"]), ("closed", 0), breaker)


class AgentsAtOncePostgres(PostgresMixin, AgentsAtOnce):
    """The same eight runs on PostgreSQL."""


# Steps of a run whose request carries this marker are refused by a trigger the test adds to the
# server's own database from the third on: a real store failure, in the middle of a run.
FAULT_MARKER = "store-fault-probe"


class AgentStoreFault(AgentServerTestCase):
    """A run whose steps the database refuses mid-run still ends: failed with STORE_FAILED, and
    its sockets hear the agent_error although it could not be stored (data.stored false)."""

    def refuse_steps(self):
        import sqlite3
        db = sqlite3.connect(f"{self.server.workdir}/var/netra.db", timeout=10)
        try:
            db.execute(f"""CREATE TRIGGER IF NOT EXISTS refuse_probe_steps BEFORE INSERT ON run_steps
                WHEN NEW.seq >= 3 AND NEW.run_id IN
                  (SELECT id FROM runs WHERE user_request LIKE '%{FAULT_MARKER}%')
                BEGIN SELECT RAISE(ABORT, 'injected by the test'); END""")
            db.commit()
        finally:
            db.close()

    async def test_a_run_whose_steps_cannot_be_stored_ends_failed_and_says_so(self):
        await asyncio.to_thread(self.refuse_steps)
        token = await self.user_with_data("fault")
        client = await self.established(token)
        other = await self.established(token)
        await client.send("start_agent", {"user_request": f"{COST_QUESTION} ({FAULT_MARKER})"})
        run_id = (await next_of(client, "run_accepted"))["run_id"]
        for socket in (client, other):
            events = await run_events(socket, run_id)
            last = events[-1]
            self.assertEqual(last["type"], "agent_error", [e["type"] for e in events])
            self.assertEqual(last["data"]["code"], "STORE_FAILED", last)
            self.assertIs(last["data"]["stored"], False, last)
            self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        run = await self.ended_run(run_id, token)
        self.assertEqual(run["status"], "failed", run)
        self.assertIn("could not be saved", run["error"], run)
        # the database's own words (the trigger's message) stay in the log
        self.assertNotIn("injected by the test", run["error"], run)
        self.assertNotIn("injected by the test", json.dumps(last), last)
        self.assertIn("injected by the test", self.server.log())
        self.assertEqual(len(run["steps"]), 2, run["steps"])
        # Other runs are untouched: the same user's next run completes.
        await client.send("start_agent", {"user_request": COST_QUESTION})
        again = (await next_of(client, "run_accepted"))["run_id"]
        self.assertEqual((await run_events(client, again))[-1]["type"], "agent_completed")


class AgentStoreFaultPostgres(PostgresMixin, AgentStoreFault):
    """The same fault, by a PL/pgSQL trigger on PostgreSQL."""

    def refuse_steps(self):
        self.scratch.execute(f"""
            CREATE FUNCTION refuse_probe_steps() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.seq >= 3 AND EXISTS (SELECT 1 FROM runs WHERE id = NEW.run_id
                                          AND user_request LIKE '%{FAULT_MARKER}%') THEN
                RAISE EXCEPTION 'injected by the test';
              END IF;
              RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_probe_steps BEFORE INSERT ON run_steps
              FOR EACH ROW EXECUTE FUNCTION refuse_probe_steps();""")


# --- the optional language model, against a fake OpenAI-compatible server ---------------------

class FakeChatCompletions:
    """A fake OpenAI-compatible chat-completions server (no real model can run here): answers
    every POST /v1/chat/completions with `status` and a reply of `text`, and records requests.
    With `certificate` (server.crt, server.key) it serves https://localhost, as OpenAI does."""

    def __init__(self, certificate=None):
        self.status = 200
        self.text = ""
        self.title_text = ""  # the reply to a request for a thread's title
        self.requests = []
        self.traceparents = []  # each request's traceparent header, or None
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append((self.path, self.headers.get("Authorization"),
                                      json.loads(body)))
                fake.traceparents.append(self.headers.get("traceparent"))
                request = json.loads(body)
                titling = request["messages"][0]["content"].startswith("You name conversations")
                content = fake.title_text if titling else fake.text
                reply = {"choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": content}}]}
                if fake.status != 200:
                    reply = {"error": {"message": "overloaded", "code": "server_error"}}
                data = json.dumps(reply).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://localhost:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class AgentLanguageModel(AgentServerTestCase):
    KEY = "sk-test-e2e-0123456789abcdef"

    @classmethod
    def make_fake(cls):
        return FakeChatCompletions()

    @classmethod
    def setUpClass(cls):
        cls.fake = cls.make_fake()
        cls.settings = {"agents.llm.url": cls.fake.url, "agents.llm.model": "fake-model",
                        "agents.llm.timeout_ms": "5000"}
        try:
            super().setUpClass()
        except BaseException:
            cls.fake.close()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.fake.close()

    @classmethod
    def server_env(cls):
        return {"NETRA_AGENTS_LLM_API_KEY": cls.KEY}

    async def report_for(self, token):
        client = await self.established(token)
        await client.send("start_agent", {"user_request": COST_QUESTION})
        run_id = (await next_of(client, "run_accepted"))["run_id"]
        events = await run_events(client, run_id)
        self.assert_step_order(events)
        tools = [e for e in events if e["type"] == "tool_completed"
                 and e["data"]["tool"] == "llm_summary"]
        self.assertEqual(len(tools), 1, [e["type"] for e in events])
        return events[-1]["data"]["report"], tools[0]

    async def test_the_model_phrases_the_summary_and_its_failure_keeps_the_computed_one(self):
        token = await self.user_with_data()
        self.fake.status, self.fake.text = 200, "Most of the spend sits in a few workloads."
        report, tool = await self.report_for(token)
        self.assertIn("Most of the spend sits in a few workloads.", report)
        self.assertIn("Summary phrased by `fake-model`", report)
        path, authorization, body = self.fake.requests[-1]
        self.assertEqual(path, "/v1/chat/completions")
        self.assertEqual(authorization, f"Bearer {self.KEY}")
        self.assertEqual(body["model"], "fake-model")

        self.fake.status = 503
        report, tool = await self.report_for(token)
        self.assertNotIn("Summary phrased by", report)
        self.assertIn("error", tool["data"], tool)
        self.assertNotIn(self.KEY, json.dumps(tool))
        self.assertNotIn(self.KEY, self.server.log())


    async def test_the_model_titles_a_new_thread_unless_its_title_is_unusable(self):
        token = await self.user_with_data("titled")
        self.fake.status, self.fake.text = 200, "Most of the spend sits in a few workloads."

        async def run_titled(title_text):
            self.fake.title_text = title_text
            client = await self.established(token)
            await client.send("start_agent", {"user_request": COST_QUESTION})
            accepted = await next_of(client, "run_accepted")
            events = await run_events(client, accepted["run_id"])
            self.assert_step_order(events)
            tools = [e["data"] for e in events if e["type"] == "tool_completed"
                     and e["data"]["tool"] == "llm_title"]
            self.assertEqual(len(tools), 1, [e["type"] for e in events])
            thread = await self.http("GET", f"/api/threads/{accepted['thread_id']}", token=token)
            return thread.get("thread", thread)["title"], tools[0]

        # Quotes, markup and the final period are taken off.
        title, tool = await run_titled('"**Trimming the LLM bill.**"')
        self.assertEqual(title, "Trimming the LLM bill")
        self.assertEqual(tool["result"]["title"], "Trimming the LLM bill")
        # Never the user's words: only what triage read, and the rules' title.
        prompt = json.loads(self.fake.requests[-2][2]["messages"][1]["content"])
        self.assertEqual(prompt["intent"], "cost")
        self.assertNotIn(COST_QUESTION, json.dumps(self.fake.requests[-2][2]))
        # A reply that is no title keeps the rules' title.
        title, tool = await run_titled("Sure! Here is a title for this conversation about your "
                                       "costs and the models you use most")
        self.assertTrue(title.startswith("Cut LLM costs"), title)
        self.assertEqual(tool["error"]["code"], "unusable_title", tool)


class AgentLanguageModelOverTls(AgentLanguageModel):
    """The same, with the model behind https:// (as OpenAI's API is): the server trusts the test's
    authority through SSL_CERT_FILE, the way a deployment names a private one."""

    @classmethod
    def make_fake(cls):
        cls.certificates = tempfile.TemporaryDirectory(prefix="netra-llm-tls-")
        cls.ca, *server_certificate = make_test_certificates(cls.certificates.name)
        return FakeChatCompletions(certificate=server_certificate)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.certificates.cleanup()

    @classmethod
    def server_env(cls):
        return {**super().server_env(), "SSL_CERT_FILE": cls.ca}


# --- the model catalog: prices as data -------------------------------------------------------

CATALOG_ADMIN = "catalog-admin@example.com"


class ModelCatalog(AgentServerTestCase):
    """GET /api/catalog/models for anyone signed in, PUT for administrators only; an entry set
    is what the next run prices with, and a model the catalog lacks is named as unpriced."""

    settings = {"auth.admin_emails": CATALOG_ADMIN.upper()}

    async def admin_token(self):
        password = "correct horse battery staple"
        answer = await self.raw_http("POST", "/auth/register",
                                     {"email": CATALOG_ADMIN, "password": password})
        self.assertIn(answer.status, (201, 409), answer)
        login = await self.http("POST", "/auth/login",
                                {"email": CATALOG_ADMIN, "password": password})
        return login["access_token"]

    async def test_administrators_set_prices_that_runs_use_and_others_cannot(self):
        user = await self.user_with_data("priced", events=3000, days=14)
        models = (await self.http("GET", "/api/catalog/models", token=user))["models"]
        by_id = {m["id"]: m for m in models}
        self.assertEqual(by_id["gpt-4o"]["input_usd_per_mtok"], 2.5)
        self.assertEqual(by_id["gpt-4o"]["source"], "catalog")
        self.assertRegex(by_id["gpt-5-mini"]["checked"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual((await self.raw_http("GET", "/api/catalog/models")).status, 401)

        entry = {"vendor": "acme", "family": "acme", "input_usd_per_mtok": 0.05,
                 "output_usd_per_mtok": 0.1, "aliases": ["acme llm one"]}
        refused = await self.raw_http("PUT", "/api/catalog/models/acme-llm-1", entry, token=user)
        self.assertEqual(refused.status, 403, refused)
        self.assertEqual(refused.json()["error"]["code"], "not_an_administrator")

        admin = await self.admin_token()
        for bad, mentions in (({**entry, "input_usd_per_mtok": -1}, "input_usd_per_mtok"),
                              ({**entry, "cheaper": "no-such-model"}, "no-such-model"),
                              ({**entry, "id": "another-id"}, "the id in the path"),
                              ({"vendor": "acme"}, "input_usd_per_mtok")):
            answer = await self.raw_http("PUT", "/api/catalog/models/acme-llm-1", bad,
                                         token=admin)
            self.assertEqual(answer.status, 400, answer)
            self.assertEqual(answer.json()["error"]["code"], "invalid_catalog_entry")
            self.assertIn(mentions, answer.json()["error"]["message"])
        self.assertEqual((await self.raw_http("PUT", "/api/catalog/models/Bad%20Id", entry,
                                              token=admin)).status, 400)
        stored = await self.http("PUT", "/api/catalog/models/acme-llm-1", entry, token=admin)
        self.assertEqual(stored["source"], "administrator")
        self.assertEqual(stored["checked"], time.strftime("%Y-%m-%d", time.gmtime()))
        listed = {m["id"]: m for m in
                  (await self.http("GET", "/api/catalog/models", token=user))["models"]}
        self.assertEqual(listed["acme-llm-1"]["source"], "administrator")
        self.assertEqual(listed["acme-llm-1"]["output_usd_per_mtok"], 0.1)

        # The next run prices with it: a what-if to the new model, by the name it was given.
        client = await self.established(user)
        await client.send("start_agent",
                          {"user_request": "Should I switch doc-summarizer to Acme LLM One?"})
        events = await run_events(client, (await next_of(client, "run_accepted"))["run_id"])
        what_if = events[-1]["data"]["result"]["what_if"]
        self.assertEqual(what_if["target_model"], "acme-llm-1")
        self.assertLess(what_if["monthly_cost_after_usd"], what_if["monthly_cost_usd"] / 10)
        self.assertIn("Your data has no calls to `acme-llm-1`", events[-1]["data"]["report"])

        # A model the catalog lacks is named as unpriced, never priced at zero.
        now_ms = int(time.time() * 1000)
        calls = [{"timestamp": now_ms - i * 1000, "workload_id": "in-house", "provider": "self",
                  "model": "my-fine-tune", "input_tokens": 500, "output_tokens": 50,
                  "latency_ms": 300, "cost_usd": 0.002} for i in range(60)]
        await self.http("POST", "/api/workloads/events", calls, token=user)
        await client.send("start_agent", {"user_request": "How can I cut my costs?"})
        events = await run_events(client, (await next_of(client, "run_accepted"))["run_id"])
        self.assertIn("No list price in the catalog for `my-fine-tune` (60 calls",
                      events[-1]["data"]["report"])

    async def test_a_catalog_file_replaces_the_compiled_in_one_and_a_bad_one_stops_the_start(self):
        folder = tempfile.mkdtemp(prefix="netra-catalog-")
        self.addCleanup(shutil.rmtree, folder, True)
        source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "src",
                              "analytics", "model_catalog.json")
        with open(source) as f:
            catalog = json.load(f)
        for m in catalog["models"]:
            if m["id"] == "gpt-4o":
                m["input_usd_per_mtok"] = 2.0
        good = os.path.join(folder, "catalog.json")
        with open(good, "w") as f:
            json.dump(catalog, f)
        server = NetraProcess({"agents.catalog_file": good})
        self.addCleanup(server.cleanup)
        server.start()
        _, _, token = server.new_user("file")
        models = {m["id"]: m for m in
                  server.json_request("GET", "/api/catalog/models", token=token)["models"]}
        self.assertEqual(models["gpt-4o"]["input_usd_per_mtok"], 2.0)

        catalog["models"].append(dict(catalog["models"][0]))  # gpt-5 twice
        bad = os.path.join(folder, "bad.json")
        with open(bad, "w") as f:
            json.dump(catalog, f)
        # Only this variable of netra's: it refuses NETRA_ variables it does not know.
        result = subprocess.run([os.environ["NETRA_BIN"], "check"], capture_output=True,
                                text=True, timeout=60, cwd=folder,
                                env={"PATH": os.environ.get("PATH", "/usr/bin"),
                                     "NETRA_AGENTS_CATALOG_FILE": bad})
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("agents.catalog_file", result.stderr)
        self.assertIn("gpt-5: listed twice", result.stderr)


class ModelCatalogPostgres(PostgresMixin, ModelCatalog):
    """The administrators' entries stored in PostgreSQL."""


# --- limits, stop and crash, with runs held in their data step --------------------------------

class ClickHouseTestCase(AgentServerTestCase):
    """The class's server on a ClickHouse of its own; skipped without TEST_CLICKHOUSE_URL."""

    extra_settings = {}

    @classmethod
    def setUpClass(cls):
        if not clickhouse_available():
            raise unittest.SkipTest("TEST_CLICKHOUSE_URL is not set")
        cls.clickhouse = ScratchClickHouse()
        cls.settings = dict(cls.clickhouse.settings(), **cls.extra_settings)
        try:
            super().setUpClass()
        except BaseException:
            cls.clickhouse.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.clickhouse.stop()

    @classmethod
    def server_env(cls):
        return cls.clickhouse.env()

    async def held_run(self, client, thread_id=None):
        """Starts a run while ClickHouse is frozen and waits until it is in its data step."""
        payload = {"user_request": COST_QUESTION}
        if thread_id:
            payload["thread_id"] = thread_id
        await client.send("start_agent", payload)
        accepted = await next_of(client, "run_accepted")
        while True:
            event = await next_of(client, "tool_executing", timeout=RUN_S)
            if event["run_id"] == accepted["run_id"]:
                return accepted


class AgentLimits(ClickHouseTestCase):
    extra_settings = {"agents.max_concurrent_runs": "1", "agents.max_queued_runs": "1"}

    async def test_busy_run_active_and_stop_agent(self):
        token = await self.user_with_data()
        client = await self.established(token)
        self.clickhouse.freeze()
        try:
            held = await self.held_run(client)
            # the thread has an active run: refused before anything is saved
            await client.send("start_agent", {"thread_id": held["thread_id"],
                                              "user_request": "again?"})
            refused = await next_of(client, "error")
            self.assertEqual(refused["code"], "RUN_ACTIVE", refused)
            # one slot, taken; one queue place
            await client.send("start_agent", {"user_request": "second"})
            queued = await next_of(client, "run_accepted")
            self.assertEqual(queued["status"], "queued", queued)
            await client.send("start_agent", {"user_request": "third"})
            busy = await next_of(client, "agent_error")
            self.assertEqual(busy["data"]["code"], "BUSY", busy)
            self.assertNotIn(busy["run_id"], (held["run_id"], queued["run_id"]))
            self.assertEqual((await self.get_run(busy["run_id"], token))["status"], "failed")
            rest = await self.raw_http("POST", f"/api/threads/{held['thread_id']}/runs",
                                       {"user_request": "over REST"}, token=token)
            self.assertEqual(rest.status, 409, rest)
            self.assertEqual(rest.json()["error"]["code"], "run_active")

            # a queued run stops at once
            await client.send("stop_agent", {"run_id": queued["run_id"]})
            stopped = await next_of(client, "agent_stopped")
            self.assertEqual(stopped["run_id"], queued["run_id"])
            ended = await run_events(client, queued["run_id"], timeout=STEP_S)
            self.assertEqual([e["type"] for e in ended], ["agent_error"])
            self.assertEqual(ended[0]["data"]["code"], "CANCELLED")
            self.assertEqual((await self.get_run(queued["run_id"], token))["status"],
                             "cancelled")

            # the running one ends cancelled before its next step
            await client.send("stop_agent", {"run_id": held["run_id"]})
            stopped = await next_of(client, "agent_stopped")
            self.assertEqual(stopped["status"], "cancelling", stopped)
        finally:
            self.clickhouse.thaw()
        rest_of_run = await run_events(client, held["run_id"])
        self.assertEqual(rest_of_run[-1]["type"], "agent_error", rest_of_run)
        self.assertEqual(rest_of_run[-1]["data"]["code"], "CANCELLED")
        steps = {e["data"].get("step") for e in rest_of_run if e["type"] == "agent_thinking"}
        self.assertFalse(steps & {"optimization", "actions", "reporting"}, rest_of_run)
        run = await self.get_run(held["run_id"], token)
        self.assertEqual(run["status"], "cancelled", run)
        self.assertEqual(run["steps"][-1]["type"], "agent_error")
        # the slot is free again: a new run completes
        await client.send("start_agent", {"user_request": COST_QUESTION})
        accepted = await next_of(client, "run_accepted")
        self.assertEqual(accepted["status"], "started")
        self.assert_step_order(await run_events(client, accepted["run_id"]))
        # and /metrics counts each ending
        metrics = (await self.raw_http("GET", "/metrics")).body
        for outcome, count in (("completed", 1), ("cancelled", 2), ("busy", 1),
                               ("run_active", 0)):
            self.assertIn(f'netra_agent_runs_total{{outcome="{outcome}"}} {count}\n', metrics)
        self.assertIn('netra_agent_runs{state="running"} 0\n', metrics)


class AgentPerUserLimit(ClickHouseTestCase):
    extra_settings = {"agents.max_concurrent_runs": "4", "agents.max_queued_runs": "4",
                      "agents.max_runs_per_user": "2"}

    async def test_one_user_cannot_take_every_slot(self):
        alice = await self.user_with_data("alice")
        bob = await self.user_with_data("bob")
        alice_socket = await self.established(alice)
        bob_socket = await self.established(bob)
        self.clickhouse.freeze()
        try:
            held = [await self.held_run(alice_socket), await self.held_run(alice_socket)]
            # her third: refused, though two slots are free
            await alice_socket.send("start_agent", {"user_request": "third"})
            refused = await next_of(alice_socket, "agent_error")
            self.assertEqual(refused["data"]["code"], "TOO_MANY_RUNS", refused)
            self.assertEqual((await self.get_run(refused["run_id"], alice))["status"], "failed")
            thread = await self.http("POST", "/api/threads", {"title": "over REST"}, token=alice,
                                     expect=201)
            rest = await self.raw_http("POST", f"/api/threads/{thread['id']}/runs",
                                       {"user_request": "over REST"}, token=alice)
            self.assertEqual(rest.status, 429, rest.body)
            self.assertEqual(rest.json()["error"]["code"], "too_many_runs")
            self.assertEqual(rest.headers.get("Retry-After"), "30")
            # bob is not held up by her
            await bob_socket.send("start_agent", {"user_request": COST_QUESTION})
            accepted = await next_of(bob_socket, "run_accepted")
            self.assertEqual(accepted["status"], "started", accepted)
            metrics = (await self.raw_http("GET", "/metrics")).body
            self.assertIn('netra_agent_runs_total{outcome="too_many_runs"} 2\n', metrics)
            self.assertIn('netra_agent_runs{state="running"} 3\n', metrics)
        finally:
            self.clickhouse.thaw()
        for run in held:
            self.assertEqual((await self.ended_run(run["run_id"], alice))["status"], "completed")
        self.assertEqual((await self.ended_run(accepted["run_id"], bob))["status"], "completed")
        # her runs have ended: she may start again
        await alice_socket.send("start_agent", {"user_request": COST_QUESTION})
        again = await next_of(alice_socket, "run_accepted")
        self.assertEqual(again["status"], "started", again)
        self.assertEqual((await run_events(alice_socket, again["run_id"]))[-1]["type"],
                         "agent_completed")


class AgentCrash(ClickHouseTestCase):

    async def test_a_run_cut_off_by_sigkill_is_interrupted_after_restart(self):
        email, password, token = await asyncio.wait_for(
            asyncio.to_thread(self.server.new_user, "crash"), STEP_S + 5)
        client = await self.established(token)
        self.clickhouse.freeze()
        try:
            held = await self.held_run(client)
            self.assertEqual((await self.get_run(held["run_id"], token))["status"], "running")
            code = await asyncio.wait_for(asyncio.to_thread(self.server.kill), STEP_S + 5)
            self.assertEqual(code, -signal.SIGKILL)
        finally:
            self.clickhouse.thaw()
        await asyncio.wait_for(asyncio.to_thread(self.server.start), 60)
        token = await asyncio.wait_for(asyncio.to_thread(self.server.login, email, password),
                                       STEP_S + 5)
        run = await self.get_run(held["run_id"], token)
        self.assertEqual(run["status"], "interrupted", run)
        self.assertIsNotNone(run["finished_at"])
        self.assertIn("1 run(s) left queued or running by the previous process are now "
                      "interrupted", self.server.log())
        # the thread takes a new run at once
        again = await self.established(token)
        await again.send("start_agent", {"thread_id": held["thread_id"],
                                         "user_request": COST_QUESTION})
        accepted = await next_of(again, "run_accepted")
        self.assert_step_order(await run_events(again, accepted["run_id"]))


# --- ClickHouse down: the run completes from the fallback, the component heals -----------------

class AgentsThroughAClickHouseOutage(ClickHouseTestCase):
    extra_settings = {"components.clickhouse.retries": "0",
                      "components.clickhouse.backoff_base_ms": "200",
                      "components.clickhouse.backoff_cap_ms": "1000"}

    def component_state(self, name):
        health = self.server.json_request("GET", "/health")
        return {c["name"]: c["state"] for c in health["components"]}.get(name)

    async def eventually(self, read, want, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = await asyncio.to_thread(read)
            if got == want:
                return
            await asyncio.sleep(0.2)
        self.fail(f"still {got!r}, not {want!r}, after {timeout} s")

    async def test_a_run_completes_from_the_embedded_store_and_clickhouse_heals(self):
        # Stop ClickHouse and restart netra against it: clickhouse starts degraded.
        await asyncio.to_thread(self.clickhouse.pause)
        await asyncio.wait_for(asyncio.to_thread(self.server.stop), 40)
        await asyncio.wait_for(asyncio.to_thread(self.server.start), 60)
        try:
            self.assertEqual(self.component_state("clickhouse"), "degraded")
            self.assertEqual(self.component_state("agent_supervisor"), "ready")
            # written where the service falls back to: the embedded store (no analytics.url)
            token = await self.user_with_data(events=1000, overrides={"analytics.url": ""})
            client = await self.established(token)
            await client.send("start_agent", {"user_request": COST_QUESTION})
            accepted = await next_of(client, "run_accepted")
            events = await run_events(client, accepted["run_id"])
            self.assert_step_order(events)
            result = events[-1]["data"]["result"]
            self.assertEqual(result["data"]["backend"], "embedded")
            self.assertTrue(result["data"]["completeness"]["sufficient"])
            self.assertIn("embedded analytics store", events[-1]["data"]["report"])
            # ClickHouse is configured: the embedded store holds only its outage buffer, and the
            # report must not present that as the user's spend.
            self.assertFalse(result["data"]["complete"])
            self.assertIn("the data is incomplete", events[-1]["data"]["report"])
        finally:
            await asyncio.to_thread(self.clickhouse.resume)
        await self.eventually(lambda: self.component_state("clickhouse"), "ready")
        await client.send("start_agent", {"user_request": COST_QUESTION})
        accepted = await next_of(client, "run_accepted")
        events = await run_events(client, accepted["run_id"])
        self.assert_step_order(events)
        self.assertEqual(events[-1]["data"]["result"]["data"]["backend"], "clickhouse")
        self.assertTrue(events[-1]["data"]["result"]["data"]["complete"])
        self.assertNotIn("the data is incomplete", events[-1]["data"]["report"])


if __name__ == "__main__":
    unittest.main()
