"""The warning checks of a real netra: thresholds crossed show in /health `warnings` and the log,
and each change reaches a webhook (a local HTTP receiver of the test's own, which refuses the
first delivery so that the retry is seen) — raised, then cleared. Also the dependency latency
histograms and the offload pool in /metrics, and the trace id on the log lines of a request.
"""

import http.server
import json
import os
import re
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import NetraProcess  # noqa: E402

WAIT_S = 15.0


class Webhook:
    """Takes POSTed JSON; answers 500 to the first `refuse` deliveries, then 200."""

    def __init__(self, refuse=1):
        self.bodies = []
        self.attempts = 0
        self.refuse = refuse
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.attempts += 1
                status = 500 if hook.attempts <= hook.refuse else 200
                if status == 200:
                    hook.bodies.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/netra"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, accept, what):
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for body in list(self.bodies):
                if accept(body):
                    return body
            time.sleep(0.05)
        raise AssertionError(f"the webhook got no {what}; it got {self.bodies}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def health_warnings(netra):
    return {w["kind"]: w for w in netra.request("GET", "/health").json()["warnings"]}


class Warnings(unittest.TestCase):
    def setUp(self):
        self.hook = Webhook(refuse=1)
        self.addCleanup(self.hook.close)
        # 5xx answers: the agent supervisor is off, so starting a run answers 503. The disk limit
        # is beyond any disk, so that warning holds from the first check.
        self.netra = NetraProcess({"monitoring.check_interval_ms": "200",
                                   "monitoring.error_rate_warn": "0.1",
                                   "monitoring.error_rate_min_requests": "3",
                                   "monitoring.disk_free_warn_mb": "1000000000",
                                   "monitoring.webhook_url": self.hook.url,
                                   "disabled": "agent_supervisor"})
        self.addCleanup(self.netra.cleanup)
        self.netra.start()

    def test_a_crossed_threshold_is_a_warning_in_health_the_log_and_the_webhook(self):
        netra = self.netra
        disk = self.hook.wait_for(lambda b: b["warning"]["kind"] == "disk_free", "disk warning")
        self.assertEqual(disk["event"], "raised")
        self.assertEqual(disk["source"], "netra")
        self.assertTrue(disk["instance"].startswith("ins_"), disk)
        self.assertIn("MiB free where the database lives", disk["warning"]["message"])
        self.assertGreaterEqual(self.hook.attempts, 2, "the refused first delivery was retried")
        self.assertIn("disk_free", health_warnings(netra))

        _, _, token = netra.new_user("warn")
        thread = netra.json_request("POST", "/api/threads", {"title": "t"}, token=token,
                                    expect=201)
        for _ in range(5):
            refused = netra.request("POST", f"/api/threads/{thread['id']}/runs",
                                    body={"user_request": "hello"}, token=token)
            self.assertEqual(refused.status, 503)
        raised = self.hook.wait_for(lambda b: b["warning"]["kind"] == "error_rate"
                                    and b["event"] == "raised", "5xx warning")
        self.assertRegex(raised["warning"]["message"], r"\d+ of the last \d+ answers were 5xx")
        netra.wait_for_log(r"warning error_rate: \d+ of the last", timeout=WAIT_S)
        # Calm answers for a few intervals: the 5xx warning clears; the disk one holds.
        cleared = None
        deadline = time.monotonic() + WAIT_S
        while cleared is None:
            self.assertLess(time.monotonic(), deadline, self.hook.bodies)
            for _ in range(5):
                self.assertEqual(netra.request("GET", "/health/live").status, 200)
            time.sleep(0.1)
            cleared = next((b for b in self.hook.bodies if b["event"] == "cleared"
                            and b["warning"]["kind"] == "error_rate"), None)
        self.assertEqual(cleared["warning"]["since"], raised["warning"]["since"])
        netra.wait_for_log(r"warning error_rate cleared", timeout=WAIT_S)
        warnings = health_warnings(netra)
        self.assertNotIn("error_rate", warnings)
        self.assertEqual(warnings["disk_free"]["since"], disk["warning"]["since"],
                         "a warning that holds keeps its start")


class DependencyMetrics(unittest.TestCase):
    def test_statements_are_timed_by_operation_and_the_offload_pool_is_published(self):
        netra = NetraProcess()
        self.addCleanup(netra.cleanup)
        netra.start()
        _, _, token = netra.new_user("deps")
        netra.json_request("POST", "/api/threads", {"title": "t"}, token=token, expect=201)
        netra.json_request("GET", "/api/threads", token=token)
        text = netra.request("GET", "/metrics").body

        def value(pattern):
            found = re.search(pattern + r" ([0-9.e+-]+)$", text, re.M)
            self.assertIsNotNone(found, pattern)
            return float(found.group(1))

        self.assertGreater(value(r'netra_dependency_duration_seconds_count\{dependency="database",'
                                 r'operation="SELECT"\}'), 0)
        self.assertGreater(value(r'netra_dependency_duration_seconds_count\{dependency="database",'
                                 r'operation="INSERT"\}'), 0)
        self.assertGreater(value(r"netra_offload_calls_total"), 0)
        value(r"netra_offload_wait_seconds_total")
        self.assertIn('pool="offload"', text)
        pools = {p["name"] for p in netra.request("GET", "/health").json()["pools"]}
        self.assertIn("offload", pools)


if __name__ == "__main__":
    unittest.main()
