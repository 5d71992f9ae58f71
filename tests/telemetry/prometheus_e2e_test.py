"""/metrics as real Prometheus tools take it: Debian's promtool checks the exposition of a running
netra and the alerting rules of deploy/prometheus (their unit tests included), and a real
Prometheus server scrapes a running netra, evaluates the alerts and answers the request rate and
every query of the Grafana dashboard (deploy/grafana/netra-dashboard.json).

Skipped without Debian's `prometheus` package, except under CI, where that is a failure.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "net", "websocket"))
from netra_process import NetraProcess, free_port  # noqa: E402

DEPLOY = os.path.join(HERE, "..", "..", "deploy")
ALERTS = os.path.abspath(os.path.join(DEPLOY, "prometheus", "alerts.yml"))
ALERTS_TEST = os.path.abspath(os.path.join(DEPLOY, "prometheus", "alerts_test.yml"))
DASHBOARD = os.path.abspath(os.path.join(DEPLOY, "grafana", "netra-dashboard.json"))
PROMETHEUS_START_TIMEOUT_S = 30.0
SCRAPE_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 10.0
# Metric names the rules and the dashboard use: ours, the HTTP families and the process gauges.
METRIC_NAME = re.compile(r"\b((?:netra|http|process)_[a-z_]+)\b")
# Prometheus's own series, which netra does not publish.
PROMETHEUS_OWN = {"up"}
# Families without a series until there is something to count (jobs by kind and state: none
# queued on a fresh instance); the exposition leaves an empty family out.
SERIES_WITH_DATA = {"netra_jobs"}


def tool(name):
    """The path of a prometheus package binary; skips (fails under CI) without it."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if os.access(f"/usr/bin/{name}", os.X_OK)
                                  else None)
    if path is None:
        if os.environ.get("CI", "") not in ("", "false"):
            raise AssertionError(f"{name} is missing: scripts/setup installs Debian's prometheus")
        raise unittest.SkipTest(f"{name} is not installed (apt-get install prometheus)")
    return path


def dashboard_queries():
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"]
            for target in panel["targets"]]


def published_families(exposition):
    """The metric family names of a text exposition (# TYPE lines)."""
    return {line.split()[2] for line in exposition.splitlines() if line.startswith("# TYPE ")}


def family_of(name):
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def some_traffic(netra):
    """Requests of several routes and outcomes, so that every labelled family has series."""
    _, _, token = netra.new_user("metrics")
    thread = netra.json_request("POST", "/api/threads", {"title": "metrics"}, token=token,
                                expect=201)
    netra.json_request("GET", "/api/threads", token=token)
    netra.json_request("GET", f"/api/threads/{thread['id']}", token=token)
    assert netra.request("GET", "/api/threads").status == 401
    assert netra.request("GET", "/no/such/route").status == 404
    netra.request("GET", "/health")


class PrometheusRules(unittest.TestCase):
    """deploy/prometheus/alerts.yml is valid and its unit tests pass (each alert fires on what
    should raise it, after its `for`, and not on healthy series)."""

    def test_rules_are_valid_and_their_unit_tests_pass(self):
        promtool = tool("promtool")
        checked = subprocess.run([promtool, "check", "rules", ALERTS], capture_output=True,
                                 text=True, timeout=60)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertIn("SUCCESS: 8 rules found", checked.stdout)
        tested = subprocess.run([promtool, "test", "rules", os.path.basename(ALERTS_TEST)],
                                cwd=os.path.dirname(ALERTS_TEST), capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(tested.returncode, 0, tested.stdout + tested.stderr)
        self.assertIn("SUCCESS", tested.stdout)


class MetricsExposition(unittest.TestCase):
    """promtool accepts a running instance's /metrics, and every metric the alerts and the
    dashboard name is one it publishes (a rename would otherwise silence an alert)."""

    def setUp(self):
        self.promtool = tool("promtool")
        self.netra = NetraProcess().start()
        self.addCleanup(self.netra.cleanup)

    def test_promtool_accepts_the_exposition(self):
        some_traffic(self.netra)
        exposition = self.netra.request("GET", "/metrics").body
        self.assertIn("http_requests_total{", exposition)
        checked = subprocess.run([self.promtool, "check", "metrics"], input=exposition,
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        self.assertEqual(checked.stdout + checked.stderr, "", "promtool's lint findings")

    def test_the_alerts_and_the_dashboard_name_published_metrics(self):
        some_traffic(self.netra)
        published = published_families(self.netra.request("GET", "/metrics").body)
        with open(ALERTS) as f:
            named = {family_of(n) for n in METRIC_NAME.findall(f.read())}
        for _, expr in dashboard_queries():
            named |= {family_of(n) for n in METRIC_NAME.findall(expr)}
        self.assertGreater(len(named), 10)
        self.assertEqual(sorted(named - published - PROMETHEUS_OWN - SERIES_WITH_DATA), [])


class PrometheusServer:
    """A real Prometheus on a loopback port, in a throwaway directory, scraping `targets` every
    second as job "netra" and evaluating alerts.yml."""

    def __init__(self, targets):
        self.binary = tool("prometheus")
        self.dir = tempfile.mkdtemp(prefix="netra-prometheus-")
        self.port = free_port()
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    f"rule_files:\n  - {ALERTS}\n"
                    "scrape_configs:\n  - job_name: netra\n    static_configs:\n"
                    f"      - targets: {json.dumps(targets)}\n")
        self.log = open(os.path.join(self.dir, "prometheus.log"), "wb")
        self.process = subprocess.Popen(
            [self.binary, f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + PROMETHEUS_START_TIMEOUT_S
        while not self._ready():
            if self.process.poll() is not None:
                raise AssertionError(f"prometheus exited: {self.log_text()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"prometheus not ready: {self.log_text()}")
            time.sleep(0.1)

    def _ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready",
                                        timeout=HTTP_TIMEOUT_S) as answer:
                return answer.status == 200
        except OSError:
            return False

    def log_text(self):
        self.log.flush()
        with open(self.log.name, errors="replace") as f:
            return f.read()[-3000:]

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        try:
            with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as e:  # a bad query: 400 with an error body
            return json.load(e)

    def query(self, promql):
        return self.api("query", query=promql)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrometheusScrape(unittest.TestCase):
    """A real Prometheus scrapes a running instance: the request rate reads back with PromQL,
    every alert evaluates without error, and every dashboard query runs."""

    def setUp(self):
        self.netra = NetraProcess().start()
        self.addCleanup(self.netra.cleanup)
        self.prometheus = PrometheusServer([f"127.0.0.1:{self.netra.port}"])
        self.addCleanup(self.prometheus.stop)

    def wait_for(self, promql, accept, what):
        """The first non-empty result of `promql` that `accept` takes, within the deadline."""
        deadline = time.monotonic() + SCRAPE_TIMEOUT_S
        last = None
        while time.monotonic() < deadline:
            last = self.prometheus.query(promql)
            self.assertEqual(last["status"], "success", last)
            result = last["data"]["result"]
            if result and accept(result):
                return result
            some_traffic(self.netra)
            time.sleep(0.5)
        self.fail(f"{what}: {promql} never gave what was expected; last answer {last}; "
                  f"prometheus log: {self.prometheus.log_text()}")

    def test_prometheus_reads_the_request_rate_back(self):
        up = self.wait_for('up{job="netra"}', lambda r: r[0]["value"][1] == "1", "target up")
        self.assertEqual(up[0]["metric"]["instance"], f"127.0.0.1:{self.netra.port}")
        # Traffic between scrapes; the rate over the last seconds must then be above zero.
        rate = self.wait_for('sum(rate(http_requests_total{job="netra"}[5s]))',
                             lambda r: float(r[0]["value"][1]) > 0, "request rate")
        self.assertGreater(float(rate[0]["value"][1]), 0)
        by_route = self.wait_for(
            'sum by (route) (increase(http_requests_total{job="netra", status="201"}[30s]))',
            lambda r: any(s["metric"].get("route") == "POST /api/threads" for s in r),
            "thread creations by route")
        self.assertTrue(any(s["metric"]["route"] == "POST /api/threads" for s in by_route))
        ready = self.wait_for("netra_ready", lambda r: True, "readiness")
        self.assertEqual(ready[0]["value"][1], "1")

    def test_alerts_evaluate_and_dashboard_queries_run(self):
        self.wait_for('up{job="netra"}', lambda r: r[0]["value"][1] == "1", "target up")
        deadline = time.monotonic() + SCRAPE_TIMEOUT_S
        while True:  # every rule evaluated at least once
            groups = self.prometheus.api("rules")["data"]["groups"]
            rules = [rule for group in groups for rule in group["rules"]]
            if rules and all(rule.get("lastEvaluation", "").startswith("2") and
                             not rule["lastEvaluation"].startswith("0001") for rule in rules):
                break
            self.assertLess(time.monotonic(), deadline, f"rules never evaluated: {rules}")
            time.sleep(0.5)
        self.assertEqual(len(rules), 8)
        for rule in rules:
            self.assertEqual(rule["health"], "ok", rule)
        # A healthy instance raises none of them.
        firing = [rule["name"] for rule in rules if rule["state"] == "firing"]
        self.assertEqual(firing, [])
        for title, expr in dashboard_queries():
            answer = self.prometheus.query(expr)
            self.assertEqual(answer["status"], "success", f"{title}: {expr}: {answer}")
        ready = self.prometheus.query("sum(netra_ready)")["data"]["result"]
        self.assertEqual(ready[0]["value"][1], "1")


if __name__ == "__main__":
    unittest.main()
