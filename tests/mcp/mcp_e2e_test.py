"""The MCP server (/mcp) against a real `netra serve`: the official TypeScript SDK's client over
Streamable HTTP (mcp_sdk_client.mjs) plays a user's tour of every tool and resource; the transport's
refusals are tried with raw HTTP; and the official conformance suite runs its server scenarios
through bearer_proxy.mjs (it cannot send a credential). Skipped without node or the npm packages
(`npm ci` in tests/mcp), except under CI where that is a failure; McpSdkClientPostgres needs
TEST_POSTGRES_URL."""

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import NetraProcess, free_port, missing_node_packages  # noqa: E402
from ws_e2e_test import PostgresMixin  # noqa: E402

CLIENT_TIMEOUT_S = 180
ACCEPT_BOTH = "application/json, text/event-stream"
COST_QUESTION = "How can I cut my LLM costs by 30% without hurting latency?"


def missing_parts():
    return missing_node_packages(HERE, ("@modelcontextprotocol/sdk",
                                        "@modelcontextprotocol/conformance"))



def workload_events(count=120):
    """Two days of calls of two models in two workloads, valid for POST /api/workloads/events."""
    now_ms = int(time.time() * 1000)
    events = []
    for i in range(count):
        big = i % 3 != 0
        events.append({
            "timestamp": now_ms - (i * 2 * 86_400_000) // count - 60_000,
            "workload_id": "support-chat" if i % 2 else "summarizer",
            "provider": "openai",
            "model": "gpt-4o" if big else "gpt-4o-mini",
            "input_tokens": 1200,
            "output_tokens": 300,
            "latency_ms": 1800 if big else 700,
            "cost_usd": 0.009 if big else 0.0004,
            "status": "ok",
            "prompt_hash": f"p{i % 7}",
        })
    return events


class McpTestCase(unittest.TestCase):
    settings = {}

    @classmethod
    def server_env(cls):
        return {}

    def setUp(self):
        missing = missing_parts()
        if missing:
            if os.environ.get("CI"):
                self.fail("an MCP test needs " + ", ".join(missing))
            self.skipTest("needs " + ", ".join(missing))
        self.server = NetraProcess(self.settings, env=self.server_env())
        self.addCleanup(self.server.cleanup)
        self.server.start()
        self.url = f"http://127.0.0.1:{self.server.port}/mcp"

    def sdk_client(self, scenario, token, **env):
        """Runs mcp_sdk_client.mjs; returns its transcript."""
        result = subprocess.run(
            ["node", os.path.join(HERE, "mcp_sdk_client.mjs")], cwd=HERE,
            env=dict(os.environ, MCP_URL=self.url, TOKEN=token, SCENARIO=scenario, **env),
            capture_output=True, text=True, timeout=CLIENT_TIMEOUT_S, stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        return json.loads(result.stdout.strip().splitlines()[-1])

    def post(self, body, token, headers=None, raw=None):
        """One POST /mcp with the transport's headers unless `headers` replaces them."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=15)
        try:
            all_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                           "Accept": ACCEPT_BOTH}
            all_headers.update(headers or {})
            all_headers = {k: v for k, v in all_headers.items() if v is not None}
            data = raw if raw is not None else json.dumps(body)
            conn.request("POST", "/mcp", body=data.encode(), headers=all_headers)
            response = conn.getresponse()
            text = response.read().decode()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()

    def initialize(self, token, version="2025-11-25"):
        status, headers, body = self.post(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": version, "capabilities": {},
                        "clientInfo": {"name": "raw", "version": "1"}}}, token)
        self.assertEqual(status, 200, body)
        return headers["mcp-session-id"], json.loads(body)


class McpSdkClient(McpTestCase):
    """What an AI client does over MCP, with the official SDK, from data to a report."""

    def test_a_user_sends_data_reads_the_summary_and_gets_a_report_with_progress(self):
        _, _, token = self.server.new_user("mcp")
        events = workload_events()
        seen = self.sdk_client("tour", token, EVENTS=json.dumps(events), REQUEST=COST_QUESTION)

        connected = seen["connected"]
        self.assertEqual(connected["server"]["name"], "netra")
        self.assertEqual(connected["protocol"], "2025-11-25")
        self.assertRegex(connected["session"], r"^mcs_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{11}$")
        self.assertIn("tools", connected["capabilities"])
        self.assertIn("resources", connected["capabilities"])
        self.assertIn("find_savings", connected["instructions"])
        self.assertEqual(sorted(seen["tools"]), ["find_savings", "get_report", "get_spend_summary",
                                                 "ingest_events", "list_threads"])

        self.assertNotIn("isError", seen["ingest"], seen["ingest"])
        self.assertEqual(seen["ingest"]["structuredContent"]["accepted"], len(events))

        # The tool answers what the REST route answers for the same caller.
        summary = seen["summary"]["structuredContent"]
        rest = self.server.json_request("GET", "/api/workloads/summary?group_by=model",
                                        token=token)
        self.assertEqual(summary["groups"], rest["groups"])
        self.assertEqual({g["key"] for g in summary["groups"]}, {"gpt-4o", "gpt-4o-mini"})
        self.assertEqual(sum(g["requests"] for g in summary["groups"]), len(events))
        self.assertEqual(json.loads(seen["summary"]["content"][0]["text"])["groups"],
                         summary["groups"])

        # find_savings streamed its progress, in order, then answered with the stored report.
        savings = seen["savings"]
        self.assertNotIn("isError", savings, savings)
        run_id = savings["structuredContent"]["run_id"]
        self.assertEqual(savings["structuredContent"]["status"], "completed")
        progress = seen["progress"]
        self.assertGreaterEqual(len(progress), 5, progress)
        self.assertEqual([p["progress"] for p in progress], list(range(1, len(progress) + 1)))
        self.assertIn(run_id, progress[0]["message"])
        self.assertTrue(any(p["message"].startswith("agent_thinking: ") for p in progress))
        self.assertEqual(progress[-1]["message"], "agent_completed")
        report = savings["content"][0]["text"]
        self.assertTrue(report.startswith("# "), report[:200])
        self.assertIn("gpt-4o", report)
        run = self.server.json_request("GET", f"/api/runs/{run_id}", token=token)
        self.assertEqual(run["status"], "completed")
        messages = self.server.json_request(
            "GET", f"/api/threads/{run['thread_id']}/messages", token=token)["messages"]
        self.assertEqual(messages[-1]["content"], report)
        self.assertEqual(messages[0]["content"], COST_QUESTION)

        # The report stays readable: get_report, and as a resource.
        self.assertEqual(seen["report"]["content"][0]["text"], report)
        self.assertEqual(seen["report"]["structuredContent"]["request"], COST_QUESTION)
        uri = f"netra://reports/{run_id}"
        self.assertEqual([r["uri"] for r in seen["resources"]], [uri])
        self.assertEqual(seen["resources"][0]["mimeType"], "text/markdown")
        self.assertEqual(seen["read"]["contents"][0]["text"], report)
        self.assertEqual(seen["templates"][0]["uriTemplate"], "netra://reports/{run_id}")
        threads = seen["threads"]["structuredContent"]["threads"]
        self.assertIn(run["thread_id"], [t["id"] for t in threads])

        # Mistakes: a bad argument is a tool error a model can read; an unknown tool or
        # resource is a protocol error.
        self.assertTrue(seen["bad_arguments"]["isError"])
        self.assertIn("group_by", json.dumps(seen["bad_arguments"]["content"]))
        self.assertEqual(seen["unknown_tool"]["failed"]["code"], -32602)
        self.assertEqual(seen["unknown_resource"]["failed"]["code"], -32002)
        self.assertEqual(seen["ping"], {})

        # An ended session is refused with 404 (the client then starts a new one).
        self.assertEqual(seen["terminate"]["ended"], connected["session"])
        self.assertEqual(seen["after_end"]["status"], 404)
        self.assertEqual(seen["after_end"]["body"]["error"]["code"], -32001)

        # Another user reads none of it.
        _, _, stranger = self.server.new_user("stranger")
        other = self.sdk_client("stranger", stranger, RUN_ID=run_id)
        self.assertTrue(other["report"]["isError"])
        self.assertEqual(other["read"]["failed"]["code"], -32002)
        self.assertEqual(other["resources"], [])

    def test_an_api_key_needs_the_agent_scope_and_each_tool_its_routes_scope(self):
        _, _, token = self.server.new_user("keys")

        def key(*scopes):
            made = self.server.json_request("POST", "/api/keys",
                                            {"name": "mcp", "scopes": list(scopes)}, token=token,
                                            expect=201)
            return made["key"]["key"]

        agent_key = key("agent")
        agent_only = self.sdk_client("api_key", agent_key)
        self.assertEqual(len(agent_only["tools"]), 5)
        # list_threads is GET /api/threads, which needs `read`: the key's scopes still hold.
        self.assertTrue(agent_only["threads"]["isError"])
        self.assertIn("insufficient_scope", agent_only["threads"]["content"][0]["text"])
        # get_spend_summary reads through the summary route's reader, after the route's checks.
        self.assertTrue(agent_only["summary"]["isError"])
        self.assertIn("insufficient_scope", agent_only["summary"]["content"][0]["text"])

        both = self.sdk_client("api_key", key("agent", "read"))
        self.assertNotIn("isError", both["threads"], both["threads"])
        self.assertEqual(both["summary"]["structuredContent"]["groups"], [])

        # A key without `agent` does not reach /mcp at all.
        status, headers, body = self.post({"jsonrpc": "2.0", "id": 1, "method": "ping"},
                                          key("read", "ingest"))
        self.assertEqual(status, 403, body)
        self.assertIn('scope="agent"', headers["www-authenticate"])
        with open(self.server.log_path) as log:
            self.assertNotIn(agent_key, log.read())  # a key is never logged


class McpSdkClientPostgres(PostgresMixin, McpSdkClient):
    """The same on PostgreSQL (the reports' queries run on both databases)."""


class McpTransport(McpTestCase):
    """Streamable HTTP's rules, with raw requests: what a client that gets them wrong is told."""

    listed = "http://front.example:3000"
    settings = {"server.cors_origins": listed}

    def test_the_transport_refuses_what_it_must_and_says_why(self):
        _, _, token = self.server.new_user("raw")
        session, answer = self.initialize(token, version="2025-06-18")
        self.assertEqual(answer["result"]["protocolVersion"], "2025-06-18")
        # A version this server does not speak is answered with the newest it does.
        self.assertEqual(self.initialize(token, version="2099-01-01")[1]["result"]
                         ["protocolVersion"], "2025-11-25")
        ping = {"jsonrpc": "2.0", "id": 7, "method": "ping"}
        in_session = {"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"}

        status, _, body = self.post(ping, token, in_session)
        self.assertEqual((status, json.loads(body)), (200, {"jsonrpc": "2.0", "id": 7,
                                                            "result": {}}))

        def refused(expect_status, expect_code, **kwargs):
            status, _, body = self.post(kwargs.pop("body", ping), token, **kwargs)
            self.assertEqual(status, expect_status, body)
            error = json.loads(body)["error"]
            self.assertEqual(error["code"], expect_code, body)
            return error["message"]

        self.assertIn("Mcp-Session-Id", refused(400, -32000))
        # A session is bound to the user who opened it: a made-up id, or another user's, is a
        # session not found.
        refused(404, -32001, headers={"Mcp-Session-Id": "mcs_AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAA"})
        refused(404, -32001, headers={"Mcp-Session-Id": "not-a-session"})
        _, _, other = self.server.new_user("other")
        status, _, body = self.post(ping, other, in_session)
        self.assertEqual((status, json.loads(body)["error"]["code"]), (404, -32001), body)
        self.assertIn("2025-11-25", refused(400, -32000, headers={
            "Mcp-Session-Id": session, "MCP-Protocol-Version": "2024-01-01"}))
        self.assertIn("text/event-stream",
                      refused(406, -32000, headers={**in_session, "Accept": "application/json"}))
        refused(415, -32000, headers={**in_session, "Content-Type": "text/plain"})
        refused(400, -32700, headers=in_session, raw="{not json")
        self.assertIn("batch", refused(400, -32600, headers=in_session, raw=json.dumps([ping])))
        refused(400, -32600, headers=in_session, body={"jsonrpc": "1.0", "id": 1,
                                                       "method": "ping"})
        refused(400, -32600, headers=in_session, body={"jsonrpc": "2.0", "id": None,
                                                       "method": "ping"})
        status, _, body = self.post({"jsonrpc": "2.0", "id": 8, "method": "prompts/list"}, token,
                                    in_session)
        self.assertEqual(json.loads(body)["error"]["code"], -32601)

        # Notifications and responses are taken with 202 and no body.
        status, _, body = self.post({"jsonrpc": "2.0", "method": "notifications/initialized"},
                                    token, in_session)
        self.assertEqual((status, body), (202, ""))

        # No token, 401; GET (a stream of server-started messages, which this server has none
        # of) is 405; a page of an unlisted origin is refused even as the server's own host —
        # DNS rebinding makes a hostile page look like one — and a listed one is served.
        status, headers, _ = self.post(ping, "", in_session)
        self.assertEqual(status, 401)
        self.assertIn("Bearer", headers["www-authenticate"])
        own = f"http://127.0.0.1:{self.server.port}"
        refused_origin = self.post(ping, token, {**in_session, "Origin": own})
        self.assertEqual(refused_origin[0], 403, refused_origin)
        status, headers, _ = self.post(ping, token, {**in_session, "Origin": self.listed})
        self.assertEqual(status, 200)
        self.assertEqual(headers["access-control-allow-origin"], self.listed)
        self.assertIn("Mcp-Session-Id", headers["access-control-expose-headers"])
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=15)
        conn.request("GET", "/mcp", headers={"Authorization": f"Bearer {token}"})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        self.assertEqual(answer.status, 405)
        self.assertIn("POST", answer.getheader("Allow"))

        # DELETE ends the session, on this instance and (through Redis) on every other.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=15)
        conn.request("DELETE", "/mcp", headers={"Authorization": f"Bearer {token}",
                                                "Mcp-Session-Id": session})
        answer = conn.getresponse()
        answer.read()
        conn.close()
        self.assertEqual(answer.status, 204)
        refused(404, -32001, headers=in_session)


# The conformance suite's server scenarios this server passes. The others need what it does not
# offer: the reference server's test tools (test_simple_text, test_image_content, ...) and
# resources (test://static-text, ...), prompts, completion, logging, sampling, elicitation and
# resource subscriptions.
CONFORMANCE_PASSING = ["server-initialize", "ping", "tools-list", "resources-list",
                       "server-sse-multiple-streams", "dns-rebinding-protection"]


class McpConformance(McpTestCase):
    """@modelcontextprotocol/conformance's server scenarios, through bearer_proxy.mjs. The
    suite's "valid" page origin is the proxy's, so it is the one listed in server.cors_origins,
    as a deployment lists its own front end."""

    proxy_port = free_port()
    settings = {"server.cors_origins": f"http://localhost:{proxy_port}"}

    def test_the_conformance_scenarios_pass(self):
        _, _, token = self.server.new_user("conformance")
        proxy = subprocess.Popen(
            ["node", os.path.join(HERE, "bearer_proxy.mjs")], cwd=HERE, stdout=subprocess.PIPE,
            env=dict(os.environ, NETRA_URL=f"http://127.0.0.1:{self.server.port}", TOKEN=token,
                     PORT=str(self.proxy_port)), text=True, stdin=subprocess.DEVNULL)
        self.addCleanup(proxy.stdout.close)
        self.addCleanup(proxy.wait, 10)
        self.addCleanup(proxy.kill)
        self.assertEqual(int(proxy.stdout.readline()), self.proxy_port)
        output = tempfile.mkdtemp(prefix="mcp-conformance-")
        self.addCleanup(shutil.rmtree, output, True)
        results = {}
        for scenario in CONFORMANCE_PASSING:
            run = subprocess.run(
                [os.path.join(HERE, "node_modules", ".bin", "conformance"), "server",
                 "--url", f"http://localhost:{self.proxy_port}/mcp", "--scenario", scenario,
                 "-o", output],
                cwd=HERE, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
            results[scenario] = (run.returncode, run.stdout[-2000:] + run.stderr[-2000:])
        checks = {}
        for folder in os.listdir(output):
            with open(os.path.join(output, folder, "checks.json")) as f:
                for check in json.load(f):
                    checks.setdefault(folder, []).append((check["id"], check["status"],
                                                          check.get("errorMessage")))
        failures = [(folder, c) for folder, found in checks.items() for c in found
                    if c[1] == "FAILURE"]
        self.assertEqual(failures, [], results)
        self.assertEqual(len(checks), len(CONFORMANCE_PASSING), results)
        successes = sum(1 for found in checks.values() for c in found if c[1] == "SUCCESS")
        self.assertGreaterEqual(successes, len(CONFORMANCE_PASSING) + 1, checks)


if __name__ == "__main__":
    unittest.main()
