"""Spans over OTLP, end to end: a real `netra serve` exports to otlp_receiver.mjs, which accepts
only what converts to the official OpenTelemetry definitions (opentelemetry-proto as compiled into
@opentelemetry/otlp-transformer, on protobufjs) and survives a protobuf round trip unchanged.

ReceiverAlone shows the receiver refuses what the definitions do not take, so that a pass of the
netra classes means something. Skipped without node or the npm packages (`npm ci` in
tests/tracing), except under CI where that is a failure.
"""

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import (NetraProcess, ScratchClickHouse, _required_under_ci,  # noqa: E402
                           clickhouse_available, free_port, missing_node_packages)
from agents_e2e_test import COST_QUESTION, FakeChatCompletions  # noqa: E402
from ws_e2e_test import Client  # noqa: E402

RECEIVER = os.path.join(HERE, "otlp_receiver.mjs")
RECEIVER_START_TIMEOUT_S = 20.0
SPAN_TIMEOUT_S = 10.0
CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def require_node(test):
    missing = missing_node_packages(HERE, ("@opentelemetry/otlp-transformer", "protobufjs"))
    if missing:
        if os.environ.get("CI", "") not in ("", "false"):
            test.fail("the tracing tests need " + ", ".join(missing))
        test.skipTest("needs " + ", ".join(missing))


class Receiver:
    """otlp_receiver.mjs on a loopback port; lines() reads what it printed so far."""

    def __init__(self, mode="accept", port=0):
        self.process = subprocess.Popen(["node", RECEIVER], cwd=HERE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        env=dict(os.environ, MODE=mode, PORT=str(port)))
        self.seen = []
        self.lines = queue.Queue()
        threading.Thread(target=self._read_lines, daemon=True).start()
        first = self._read_line(RECEIVER_START_TIMEOUT_S)
        if first is None or "port" not in first:
            self.stop()
            raise AssertionError(f"the receiver did not start: {first}")
        self.port = first["port"]

    def _read_lines(self):
        # A thread of its own: select() on a pipe whose lines Python already buffered would wait.
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def _read_line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def wait_for(self, accept, what, timeout=SPAN_TIMEOUT_S):
        """The first line (old or new) that `accept` takes."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.seen:
                if accept(line):
                    return line
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {what} within {timeout} s; received {self.seen}")
            line = self._read_line(remaining)
            if line is not None:
                self.seen.append(line)

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            line = self._read_line(remaining)
            if line is not None:
                self.seen.append(line)

    def post(self, body):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/v1/traces",
                                         data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as e:
            return e.code

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def minimal_body(span_overrides=None, extra=None):
    span = {"traceId": CALLER_TRACE, "spanId": CALLER_SPAN, "name": "x", "kind": 2,
            "startTimeUnixNano": "1", "endTimeUnixNano": "2"}
    span.update(span_overrides or {})
    body = {"resourceSpans": [{"resource": {"attributes": []},
                               "scopeSpans": [{"scope": {"name": "t"}, "spans": [span]}]}]}
    body.update(extra or {})
    return json.dumps(body)


class ReceiverAlone(unittest.TestCase):
    """The receiver takes a valid body and refuses what the definitions do not."""

    def setUp(self):
        require_node(self)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)

    def test_it_takes_a_valid_body_and_refuses_what_the_definitions_do_not(self):
        self.assertEqual(self.receiver.post(minimal_body()), 200)
        self.receiver.wait_for(lambda l: l.get("spanId") == CALLER_SPAN, "the valid span")
        for why, body in [
            ("an unknown field", minimal_body({"durationNanos": "1"})),
            ("a misspelt field", minimal_body(extra={"resource_spans": [{}]})),
            ("a short id", minimal_body({"spanId": "00f067aa"})),
            ("an id in base64", minimal_body({"traceId": "S/kvNXezTaajzpKdDg5HNg=="})),
            ("a string kind", minimal_body({"kind": "SERVER"})),
            ("a number where a string goes", minimal_body({"name": 5})),
        ]:
            with self.subTest(why):
                self.assertEqual(self.receiver.post(body), 400, why)
        self.receiver.drain(0.5)
        refused = [line for line in self.receiver.seen if "refused" in line]
        self.assertEqual(len(refused), 6, refused)


class Tracing(unittest.TestCase):
    """A real netra exporting to the strict receiver."""

    def start_netra(self, receiver_port, **settings):
        values = {"auth.dev_login": "true",
                  "tracing.otlp_endpoint": f"http://127.0.0.1:{receiver_port}",
                  "tracing.flush_interval_ms": "100"}
        values.update(settings)
        netra = NetraProcess(values)
        self.addCleanup(netra.cleanup)
        return netra.start()

    def setUp(self):
        require_node(self)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)

    def test_a_request_in_a_callers_trace_is_a_server_span_under_the_callers_span(self):
        netra = self.start_netra(self.receiver.port)
        token = netra.json_request("POST", "/auth/dev/login", {"email": "t@example.com"})[
            "access_token"]
        thread = netra.json_request("POST", "/api/threads", {"title": "traced"}, token=token,
                                    expect=201)
        answer = netra.request("GET", f"/api/threads/{thread['id']}", token=token, headers={
            "traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", "tracestate": "vendor=1"})
        self.assertEqual(answer.status, 200)
        ours = answer.headers["traceparent"].split("-")[2]
        span = self.receiver.wait_for(lambda l: l.get("traceId") == CALLER_TRACE
                                      and l.get("kind") == 2, "the server span")
        self.assertEqual(span["spanId"], ours, "the span the answer's traceparent names")
        self.assertEqual(span["parentSpanId"], CALLER_SPAN)
        self.assertEqual(span["name"], "GET /api/threads/{id}", "the route, never the path")
        self.assertEqual(span["kind"], 2, "SPAN_KIND_SERVER")
        self.assertEqual(span["status"]["code"], 0)
        self.assertEqual(span["attributes"]["http.route"], "/api/threads/{id}")
        self.assertEqual(span["attributes"]["url.path"], f"/api/threads/{thread['id']}")
        self.assertEqual(span["attributes"]["http.request.method"], "GET")
        self.assertEqual(span["attributes"]["http.response.status_code"], 200)
        self.assertEqual(span["attributes"]["netra.request_id"], answer.headers["X-Request-Id"])
        self.assertTrue(span["attributes"]["enduser.id"])
        self.assertLess(int(span["startTimeUnixNano"]), int(span["endTimeUnixNano"]))
        self.assertLess(abs(int(span["endTimeUnixNano"]) / 1e9 - time.time()), 60)
        self.assertEqual(span["resource"]["service.name"], "netra")
        self.assertTrue(span["resource"]["service.instance.id"].startswith("ins_"))
        # A trace started here is a root span.
        root = self.receiver.wait_for(lambda l: l.get("name") == "POST /api/threads",
                                      "the thread creation's span")
        self.assertEqual(root["parentSpanId"], "")
        refused = [line for line in self.receiver.seen if "refused" in line]
        self.assertEqual(refused, [])

    def test_a_5xx_is_an_error_span_and_an_unsampled_caller_records_nothing(self):
        netra = self.start_netra(self.receiver.port, disabled="agent_supervisor")
        token = netra.json_request("POST", "/auth/dev/login", {"email": "t@example.com"})[
            "access_token"]
        thread = netra.json_request("POST", "/api/threads", {"title": "t"}, token=token,
                                    expect=201)
        failed = netra.request("POST", f"/api/threads/{thread['id']}/runs", body={
            "content": "hello"}, token=token)
        self.assertEqual(failed.status, 503)
        span = self.receiver.wait_for(lambda l: l.get("name") == "POST /api/threads/{id}/runs",
                                      "the refused run's span")
        self.assertEqual(span["status"]["code"], 2, "STATUS_CODE_ERROR")
        self.assertEqual(span["attributes"]["http.response.status_code"], 503)
        unsampled = "5bf92f3577b34da6a3ce929d0e0e4736"
        netra.request("GET", "/health", headers={"traceparent": f"00-{unsampled}-{CALLER_SPAN}-00"})
        netra.request("GET", "/health/live")  # sampled: proves the export went on meanwhile
        self.receiver.wait_for(lambda l: l.get("name") == "GET /health/live", "a later span")
        self.receiver.drain(0.3)
        self.assertEqual([l for l in self.receiver.seen if l.get("traceId") == unsampled], [])

    def test_sampling_ratio_zero_records_no_new_trace_but_follows_a_sampled_caller(self):
        netra = self.start_netra(self.receiver.port, **{"tracing.sample_ratio": "0"})
        for _ in range(20):
            answer = netra.request("GET", "/health")
            self.assertTrue(answer.headers["traceparent"].endswith("-00"), answer.headers)
        netra.request("GET", "/health/live",
                      headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
        span = self.receiver.wait_for(lambda l: l.get("traceId") == CALLER_TRACE, "the caller's")
        self.assertEqual(span["name"], "GET /health/live")
        self.receiver.drain(0.3)
        self.assertEqual([l["name"] for l in self.receiver.seen if "name" in l],
                         ["GET /health/live"])


class SpanTree(unittest.TestCase):
    """The spans below a request: the statements it ran, the agent run it started with its steps,
    tool calls and the language model's call (to a fake OpenAI-compatible server, named as
    such: no real model runs here), and the spans of a WebSocket message."""

    def setUp(self):
        require_node(self)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        self.fake = FakeChatCompletions()
        self.addCleanup(self.fake.close)
        self.fake.text = "Most of the spend sits in a few workloads."
        self.netra = NetraProcess({"tracing.otlp_endpoint": f"http://127.0.0.1:{self.receiver.port}",
                                   "tracing.flush_interval_ms": "100",
                                   "agents.llm.url": self.fake.url,
                                   "agents.llm.model": "fake-model",
                                   "agents.llm.timeout_ms": "5000",
                                   "log.level": "debug"})
        self.addCleanup(self.netra.cleanup)
        self.netra.start()

    def trace(self, trace_id, settle_s=1.0):
        """Every span of the trace received so far, after `settle_s` more of export."""
        self.receiver.drain(settle_s)
        return [line for line in self.receiver.seen if line.get("traceId") == trace_id]

    def test_a_request_that_starts_an_agent_run_is_the_root_of_the_runs_span_tree(self):
        email, _, token = self.netra.new_user("traced")
        self.netra.run_command(["demo-data", "--email", email, "--days", "14", "--events", "2000"])
        thread = self.netra.json_request("POST", "/api/threads", {"title": "t"}, token=token,
                                         expect=201)
        answer = self.netra.request("POST", f"/api/threads/{thread['id']}/runs",
                                    body={"user_request": COST_QUESTION}, token=token,
                                    headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"})
        self.assertEqual(answer.status, 202, answer)
        run_id = answer.json()["run"]["id"]
        deadline = time.monotonic() + 30
        while self.netra.json_request("GET", f"/api/runs/{run_id}", token=token)["status"] in (
                "queued", "running"):
            self.assertLess(time.monotonic(), deadline, "the run did not end")
            time.sleep(0.2)
        self.receiver.wait_for(lambda l: l.get("name") == "agent.run", "the run's span")
        spans = self.trace(CALLER_TRACE)
        by_id = {s["spanId"]: s for s in spans}
        self.assertEqual(len(by_id), len(spans), "every span id is unique")
        for s in spans:
            if s["parentSpanId"] != CALLER_SPAN:
                self.assertIn(s["parentSpanId"], by_id, f"{s['name']}'s parent was exported")

        def children(parent, prefix=""):
            return sorted((s for s in spans if s["parentSpanId"] == parent["spanId"]
                           and s["name"].startswith(prefix)),
                          key=lambda s: int(s["startTimeUnixNano"]))

        request = [s for s in spans if s["parentSpanId"] == CALLER_SPAN]
        self.assertEqual([s["name"] for s in request], ["POST /api/threads/{id}/runs"])
        request = request[0]
        self.assertEqual(request["spanId"], answer.headers["traceparent"].split("-")[2])

        statements = [s for s in children(request) if s["attributes"].get("db.system")]
        self.assertGreaterEqual(len(statements), 2, [s["name"] for s in children(request)])
        for s in statements:
            self.assertEqual(s["kind"], 3, "SPAN_KIND_CLIENT")
            self.assertEqual(s["attributes"]["db.system"], "sqlite")
            self.assertIn(s["name"], ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "BEGIN"))
            self.assertEqual(s["name"], s["attributes"]["db.operation.name"])
            self.assertNotIn(COST_QUESTION, s["attributes"]["db.query.text"], "never a value")
        self.assertIn("INSERT", [s["name"] for s in statements], "the message and run were saved")

        run = children(request, "agent.run")
        self.assertEqual(len(run), 1, [s["name"] for s in children(request)])
        run = run[0]
        self.assertEqual(run["kind"], 1, "SPAN_KIND_INTERNAL")
        self.assertEqual(run["attributes"]["netra.run_id"], run_id)
        self.assertEqual(run["attributes"]["netra.run_outcome"], "completed")
        self.assertEqual(run["status"]["code"], 0)
        steps = children(run, "agent.step ")
        self.assertEqual([s["name"] for s in steps],
                         ["agent.step triage", "agent.step data", "agent.step optimization",
                          "agent.step actions", "agent.step reporting"])
        self.assertEqual([s["attributes"]["netra.step_number"] for s in steps], [1, 2, 3, 4, 5])
        for earlier, later in zip(steps, steps[1:]):
            self.assertLessEqual(int(earlier["endTimeUnixNano"]), int(later["startTimeUnixNano"]))
        data_tools = children(steps[1], "agent.tool ")
        self.assertGreaterEqual(len(data_tools), 3, [s["name"] for s in children(steps[1])])
        summary = children(steps[4], "agent.tool llm_summary")
        self.assertEqual(len(summary), 1, [s["name"] for s in children(steps[4])])
        model_calls = children(summary[0])
        self.assertEqual([s["name"] for s in model_calls], ["chat fake-model"])
        call = model_calls[0]
        self.assertEqual(call["kind"], 3)
        self.assertEqual(call["attributes"]["http.response.status_code"], 200)
        self.assertEqual(call["attributes"]["server.address"], "127.0.0.1")
        # The model's server was told which span called it: its spans would join the trace.
        self.assertEqual(self.fake.traceparents[-1], f"00-{CALLER_TRACE}-{call['spanId']}-01")
        # The run's own statements (its status, its events) sit under its steps.
        under_steps = [s for step in steps for s in children(step) if s["attributes"].get(
            "db.system")]
        self.assertTrue(under_steps, "the steps' statements are their children")
        self.assertEqual([l for l in self.receiver.seen if "refused" in l], [])
        # The run's own log line carries the trace id of the request that started it.
        self.netra.wait_for_log(rf"run {run_id} ended completed trace={CALLER_TRACE}\n")

    def test_a_websocket_message_is_the_root_of_a_trace_of_its_own(self):
        _, _, token = self.netra.new_user("socket")

        async def list_threads():
            client, _ = await Client.established(self.netra.ws_url, token)
            try:
                await client.send("list_threads", {})
                return await client.recv()
            finally:
                await client.ws.close()

        answer = asyncio.run(list_threads())
        self.assertEqual(answer["type"], "thread_list", answer)
        message = self.receiver.wait_for(lambda l: l.get("name") == "WebSocket message",
                                         "the message's span")
        self.assertEqual(message["parentSpanId"], "")
        self.assertEqual(message["kind"], 2, "SPAN_KIND_SERVER")
        self.assertGreater(message["attributes"]["messaging.message.body.size"], 0)
        spans = self.trace(message["traceId"], settle_s=0.5)
        selects = [s for s in spans if s["parentSpanId"] == message["spanId"]
                   and s["name"] == "SELECT"]
        self.assertTrue(selects, [s["name"] for s in spans])


class DependencySpans(unittest.TestCase):
    """A ClickHouse query and Redis commands are CLIENT spans under the request that made them:
    ClickHouse is told which span called it, Redis spans name the command and never a key.
    Real servers: a ClickHouse of its own and TEST_REDIS_URL (skipped without them, except under
    CI)."""

    def setUp(self):
        require_node(self)
        redis_url = _required_under_ci("TEST_REDIS_URL")
        if redis_url is None or not clickhouse_available():
            self.skipTest("needs TEST_REDIS_URL and TEST_CLICKHOUSE_URL")
        self.clickhouse = ScratchClickHouse()
        self.addCleanup(self.clickhouse.stop)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        self.netra = NetraProcess(
            dict(self.clickhouse.settings(), **{
                "tracing.otlp_endpoint": f"http://127.0.0.1:{self.receiver.port}",
                "tracing.flush_interval_ms": "100"}),
            env=dict(self.clickhouse.env(), NETRA_REDIS_URL=redis_url))
        self.addCleanup(self.netra.cleanup)
        self.netra.start()

    def traced(self, method, path, token, body=None, span=CALLER_SPAN):
        answer = self.netra.request(method, path, body=body, token=token,
                                    headers={"traceparent": f"00-{CALLER_TRACE}-{span}-01"})
        self.assertEqual(answer.status, 200, answer)
        return answer.headers["traceparent"].split("-")[2]

    def children(self, parent_id, settle_s=1.0):
        self.receiver.drain(settle_s)
        return [s for s in self.receiver.seen
                if s.get("traceId") == CALLER_TRACE and s.get("parentSpanId") == parent_id]

    def test_clickhouse_queries_and_redis_commands_are_children_of_the_request(self):
        _, _, token = self.netra.new_user("deps")
        now_ms = int(time.time() * 1000)
        events = [{"timestamp": now_ms - i, "workload_id": "secret-workload", "provider": "openai",
                   "model": "gpt-4o", "input_tokens": 100, "output_tokens": 50,
                   "latency_ms": 20, "cost_usd": 0.01} for i in range(20)]
        ingest = self.traced("POST", "/api/workloads/events", token, body=events)
        summary = self.traced("GET", "/api/workloads/summary?period=last_7_days", token,
                              span="00f067aa0ba902b8")
        self.receiver.wait_for(lambda l: l.get("name", "").startswith("clickhouse "),
                               "a ClickHouse span")

        ingest_children = self.children(ingest)
        redis = [s for s in ingest_children if s["name"].startswith("redis ")]
        self.assertTrue(redis, [s["name"] for s in ingest_children])
        for s in redis:
            self.assertEqual(s["kind"], 3, "SPAN_KIND_CLIENT")
            self.assertEqual(s["attributes"]["db.system"], "redis")
            self.assertRegex(s["name"], r"^redis [A-Z]+$")
            self.assertNotIn("secret", json.dumps(s), "a span names the command, never a key")
        inserts = [s for s in ingest_children if s["name"] == "clickhouse insert"]
        self.assertEqual(len(inserts), 1, [s["name"] for s in ingest_children])

        queries = [s for s in self.children(summary) if s["name"] == "clickhouse summary"]
        self.assertEqual(len(queries), 1, [s["name"] for s in self.children(summary)])
        query = queries[0]
        self.assertEqual(query["kind"], 3)
        self.assertEqual(query["attributes"]["http.response.status_code"], 200)
        self.assertEqual(query["status"]["code"], 0)
        # The query's span is over the request's span, and both end in order.
        request = [s for s in self.receiver.seen if s.get("spanId") == summary][0]
        self.assertLessEqual(int(request["startTimeUnixNano"]), int(query["startTimeUnixNano"]))
        self.assertLessEqual(int(query["endTimeUnixNano"]), int(request["endTimeUnixNano"]))


class CollectorDown(unittest.TestCase):
    """A collector that is not there or refuses: requests are unaffected, spans are dropped and
    counted, the breaker opens, and the log says so once."""

    def setUp(self):
        require_node(self)

    def metric(self, netra, line_start):
        for line in netra.request("GET", "/metrics").body.splitlines():
            if line.startswith(line_start):
                return float(line.split()[-1])
        return None

    def test_no_collector_costs_requests_nothing_and_the_drops_are_counted(self):
        netra = NetraProcess({"tracing.otlp_endpoint": f"http://127.0.0.1:{free_port()}",
                              "tracing.flush_interval_ms": "50"})
        self.addCleanup(netra.cleanup)
        netra.start()
        for _ in range(200):
            self.assertEqual(netra.request("GET", "/health/live").status, 200)
        deadline = time.monotonic() + SPAN_TIMEOUT_S
        while True:
            failed = self.metric(netra, 'netra_spans_dropped_total{reason="export_failed"}') or 0
            open_ = self.metric(netra, 'netra_spans_dropped_total{reason="breaker_open"}') or 0
            if failed > 0 and self.metric(netra, 'netra_circuit_breaker_state{breaker="otlp",state="open"}') == 1:
                break
            self.assertLess(time.monotonic(), deadline, netra.request("GET", "/metrics").body)
            for _ in range(20):
                netra.request("GET", "/health/live")
            time.sleep(0.1)
        self.assertGreater(failed + open_, 0)
        self.assertEqual(self.metric(netra, "netra_spans_exported_total"), 0)
        self.assertEqual(netra.log().count("spans not exported"), 1, "logged once per outage")
        health = netra.request("GET", "/health").json()
        self.assertEqual(health["status"], "ok", "a low component's collector is not the service's")
        self.assertEqual(netra.request("GET", "/health/ready").status, 200)

    def test_a_collector_that_comes_back_gets_spans_again(self):
        port = free_port()
        netra = NetraProcess({"tracing.otlp_endpoint": f"http://127.0.0.1:{port}",
                              "tracing.flush_interval_ms": "50"})
        self.addCleanup(netra.cleanup)
        netra.start()
        netra.request("GET", "/health/live")
        netra.wait_for_log("spans not exported", timeout=SPAN_TIMEOUT_S)
        receiver = Receiver(port=port)
        self.addCleanup(receiver.stop)
        # The breaker may be open for its 10 s: keep sending until a span arrives.
        deadline = time.monotonic() + 20
        while True:
            netra.request("GET", "/health/live")
            receiver.drain(0.2)
            if any(l.get("name") == "GET /health/live" for l in receiver.seen):
                break
            self.assertLess(time.monotonic(), deadline, netra.log()[-3000:])
        netra.wait_for_log("the collector takes spans again", timeout=5)


if __name__ == "__main__":
    unittest.main()
