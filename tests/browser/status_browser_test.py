"""The /status page in a real browser: Debian's chromium (puppeteer-core, tests/browser/
status_page.mjs) on the page of a real `netra serve` whose ClickHouse is unreachable, so that one
component is degraded. The page loads with no console error, shows every component of the
instance, shows the degraded one as degraded with its error, draws the start-up chart, fits a
phone, and asks for a sign-in without an administrator's token. Screenshots are kept in
$STATUS_SCREENSHOTS (default build/artifacts/status) as the test's artefact.

Skipped without chromium or the npm packages (`npm ci` in tests/browser), except under CI where
that is a failure."""

import json
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import NetraProcess, free_port  # noqa: E402
from cors_browser_test import CHROMIUM, require_browser  # noqa: E402

BROWSER_TIMEOUT_S = 120
DEGRADED_TIMEOUT_S = 30
ADMIN = "Admin@Example.com"  # listed in another case than it signs in with: compared without case
SCREENSHOTS = os.environ.get("STATUS_SCREENSHOTS") or os.path.join(
    HERE, "..", "..", "build", "artifacts", "status")


class StatusPage(unittest.TestCase):
    def setUp(self):
        require_browser(self)
        # Nothing listens on this port: the clickhouse component ends degraded.
        self.server = NetraProcess({
            "auth.dev_login": "true",
            "auth.admin_emails": f"ops@example.com, {ADMIN}",
            "analytics.url": f"http://127.0.0.1:{free_port()}",
            "analytics.timeout_ms": "500",
            # Less free disk than this (about 1 PB) is a warning: every disk here has less.
            "monitoring.disk_free_warn_mb": "1000000000",
            "monitoring.check_interval_ms": "200",
        })
        self.addCleanup(self.server.cleanup)
        self.server.start()
        deadline = time.monotonic() + DEGRADED_TIMEOUT_S
        while not self.component_state("clickhouse") == "degraded":
            self.assertLess(time.monotonic(), deadline, self.server.request("GET", "/health"))
            time.sleep(0.2)
        os.makedirs(SCREENSHOTS, exist_ok=True)

    def component_state(self, name):
        health = self.server.request("GET", "/health").json()
        return next(c["state"] for c in health["components"] if c["name"] == name)

    def token_of(self, email):
        return self.server.json_request("POST", "/auth/dev/login", {"email": email})["access_token"]

    def open_page(self, fragment, name):
        env = dict(os.environ, URL=f"http://127.0.0.1:{self.server.port}/status{fragment}",
                   CHROMIUM=CHROMIUM, SCREENSHOTS=SCREENSHOTS, NAME=name)
        result = subprocess.run(["node", os.path.join(HERE, "status_page.mjs")], cwd=HERE, env=env,
                                capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S,
                                stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_an_administrator_sees_every_component_and_the_degraded_one_stands_out(self):
        seen = self.open_page("#token=" + self.token_of(ADMIN.lower()), "administrator")
        self.assertEqual(seen["problems"], [], "no console error, page error or failed request")
        self.assertFalse(seen["signInShown"], seen)
        # Every component of the running instance, in the state /health gives it.
        health = self.server.request("GET", "/health").json()
        expected = {c["name"]: c["state"] for c in health["components"]}
        shown = {row["name"]: row["state"] for row in seen["components"]}
        self.assertEqual(shown.keys(), expected.keys())
        self.assertEqual(shown["clickhouse"], "degraded")
        self.assertEqual(shown["database"], "ready")
        # The degraded one stands out: its row is marked and coloured, its error is written out,
        # and the banner at the top names it.
        clickhouse = next(row for row in seen["components"] if row["name"] == "clickhouse")
        self.assertEqual(clickhouse["className"], "degraded")
        self.assertTrue(clickhouse["error"], clickhouse)
        self.assertNotEqual(seen["degradedRowBackground"], seen["readyRowBackground"])
        self.assertTrue(seen["bannerShown"])
        self.assertIn("clickhouse is degraded", seen["banner"])
        self.assertEqual(seen["overall"], "degraded")
        # The start-up chart: a bar per started component, and the critical chain named.
        started = [c for c in health["startup"]["components"] if c["started_at_ms"] is not None]
        self.assertGreaterEqual(seen["ganttBars"], len(started))
        self.assertIn("critical chain", seen["startupSummary"])
        self.assertGreaterEqual(seen["loops"], 1)
        # The warning logged when ClickHouse could not be reached is among the recent problems.
        self.assertGreaterEqual(seen["problemsListed"], 1)
        # The warnings in force, as /health lists them: the free disk one is always raised here
        # (others, such as loop lag on a busy machine, may come and go between the two reads).
        warnings = self.server.request("GET", "/health").json()["warnings"]
        self.assertIn("disk_free", [w["kind"] for w in warnings])
        # (The free MiB it names moves with the disk: compare the rest.)
        self.assertTrue(any(text.startswith("disk_free: ") and "limit 1000000000 MiB" in text
                            for text in seen["warnings"]), seen["warnings"])
        # The token left the address bar and stays for this tab only.
        self.assertEqual(seen["hashAfter"], "")
        self.assertTrue(seen["tokenKept"])
        self.assertLessEqual(seen["phoneOverflow"], 0, "the page fits a phone's width")

    def test_without_an_administrators_token_the_page_asks_for_one(self):
        anonymous = self.open_page("", "anonymous")
        self.assertTrue(anonymous["signInShown"], anonymous)
        self.assertEqual(anonymous["components"], [], "no data without a token")
        # The browser reports the feed's 401 as a failed resource; nothing else may go wrong.
        self.assertEqual([p for p in anonymous["problems"] if "status of 401" not in p], [])

        other = self.open_page("#token=" + self.token_of("someone@example.com"), "not-admin")
        self.assertTrue(other["signInShown"], other)
        self.assertIn("not in auth.admin_emails", other["signInWhy"])
        self.assertEqual([p for p in other["problems"] if "status of 403" not in p], [])


if __name__ == "__main__":
    unittest.main()
