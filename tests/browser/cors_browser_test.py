"""Browser front ends on another origin, in a real browser: Debian's chromium (puppeteer-core,
tests/browser/cors_pages.mjs) on a page of the origin netra lists in server.cors_origins and on a
page of another origin, against a real `netra serve`. Skipped without chromium or the npm
packages (`npm ci` in tests/browser), except under CI where that is a failure."""

import json
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import NetraProcess, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BROWSER_TIMEOUT_S = 120



def missing_parts():
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append("chromium")
    if shutil.which("node") is None:
        missing.append("node")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "puppeteer-core")):
        missing.append("tests/browser/node_modules (npm ci)")
    return missing


def require_browser(test):
    """Skips `test` without chromium, node or the npm packages; under CI that is a failure."""
    missing = missing_parts()
    if missing:
        if os.environ.get("CI"):
            test.fail("a browser test needs " + ", ".join(missing))
        test.skipTest("needs " + ", ".join(missing))


class Cors(unittest.TestCase):
    def setUp(self):
        require_browser(self)
        self.listed_port, self.unlisted_port = free_port(), free_port()
        self.server = NetraProcess({
            "auth.dev_login": "true",
            "server.cors_origins": f"http://127.0.0.1:{self.listed_port}",
        })
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def run_pages(self):
        env = dict(os.environ, API=f"http://127.0.0.1:{self.server.port}",
                   LISTED_PORT=str(self.listed_port), UNLISTED_PORT=str(self.unlisted_port),
                   CHROMIUM=CHROMIUM)
        result = subprocess.run(["node", os.path.join(HERE, "cors_pages.mjs")], cwd=HERE, env=env,
                                capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S,
                                stdin=subprocess.DEVNULL)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_a_listed_origin_uses_the_api_and_an_unlisted_one_is_refused(self):
        seen = self.run_pages()
        listed, unlisted = seen["listed"], seen["unlisted"]

        # The listed page: preflighted calls with a token, an exposed header, a readable refusal.
        self.assertEqual(listed["login"], {"status": 200, "has_token": True}, listed)
        self.assertEqual(listed["create"]["status"], 201, listed)
        self.assertTrue(listed["create"]["request_id"], "X-Request-Id is exposed to the page")
        self.assertEqual(listed["list"]["status"], 200, listed)
        self.assertIn("Planned from a browser", listed["list"]["body"])
        self.assertEqual(listed["anonymous"]["status"], 401, listed)
        self.assertEqual(listed["websocket"], "open", listed)

        # The unlisted page holds a valid token and still reads nothing: the browser refuses each
        # answer (a script sees a network error), and the server refuses its WebSocket.
        for call in ("login", "create", "list", "anonymous"):
            self.assertIn("error", unlisted[call], f"{call}: {unlisted}")
            self.assertIn("Failed to fetch", unlisted[call]["error"])
        self.assertEqual(unlisted["websocket"], "error", unlisted)
        self.assertRegex(self.server.log(), r"refused a WebSocket handshake from origin "
                                            rf"http://127\.0\.0\.1:{self.unlisted_port}")


if __name__ == "__main__":
    unittest.main()
