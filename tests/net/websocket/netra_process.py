"""A real `netra serve` process for end-to-end tests: started in a scratch directory, on a free
loopback port, with a clean environment; stopped by signal; its log kept for assertions.

Everything here waits under a deadline: a server that does not come up, or does not stop, fails
the test instead of hanging it.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0
HTTP_TIMEOUT_S = 15.0

# Tests register, log in and refresh often, all from one address; the defaults are for people.
DEFAULT_SETTINGS = {
    "server.host": "127.0.0.1",
    "server.port": "0",
    "auth.login_limit_per_minute": "100000",
    "auth.register_limit_per_minute": "100000",
    "auth.refresh_limit_per_minute": "100000",
}

_LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


def free_port():
    """A TCP port free on 127.0.0.1 now, for a server whose port must be known before it starts
    (another process could take it meanwhile; the tests that use it start at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_node_packages(folder, packages):
    """What a test that runs node with the npm packages of `folder` (installed there by `npm ci`)
    lacks: node itself, or a package."""
    missing = [] if shutil.which("node") else ["node"]
    for package in packages:
        if not os.path.isdir(os.path.join(folder, "node_modules", package)):
            missing.append(f"{os.path.basename(folder)}/node_modules/{package} (npm ci)")
    return missing


def netra_bin():
    path = os.environ.get("NETRA_BIN")
    if not path:
        raise RuntimeError("NETRA_BIN is not set: the path of the netra binary (ctest sets it)")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"NETRA_BIN={path} is not an executable")
    return path


class HttpAnswer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"HttpAnswer({self.status}, {self.body[:300]!r})"


class NetraProcess:
    """One server process. `workdir` is reused by a restart (same database, same keys)."""

    def __init__(self, settings=None, env=None, workdir=None):
        self.settings = dict(DEFAULT_SETTINGS)
        self.settings.update(settings or {})
        self.extra_env = dict(env or {})
        self.owns_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="netra-ws-e2e-")
        self.process = None
        self.port = None
        self.log_path = None
        self._runs = 0

    # --- life cycle -------------------------------------------------------------------------

    def start(self, timeout=START_TIMEOUT_S):
        assert self.process is None, "already running"
        self._runs += 1
        self.log_path = os.path.join(self.workdir, f"netra-{self._runs}.log")
        args = [netra_bin(), "serve", "--log-format", "text"]
        for key, value in self.settings.items():
            args += ["--set", f"{key}={value}"]
        env = self._env()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, cwd=self.workdir, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while self.port is None:
            self._check_alive("before listening")
            match = _LISTENING.search(self.log())
            if match:
                self.port = int(match.group(1))
                break
            self._sleep_until(deadline, "the 'listening on' line")
        while True:
            self._check_alive("before ready")
            try:
                if self.request("GET", "/health/ready", timeout=2).status == 200:
                    break
            except OSError:
                pass
            self._sleep_until(deadline, "GET /health/ready == 200")
        while "serving until SIGTERM" not in self.log():
            self._check_alive("before 'serving until SIGTERM'")
            self._sleep_until(deadline, "the 'serving until SIGTERM' line")
        return self

    def _env(self):
        """A clean environment: PATH, HOME, the sanitizer settings of the test run (they are not
        config) and the server's own extra variables."""
        env = {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                env[key] = os.environ[key]
        env.update(self.extra_env)
        return env

    def run_command(self, args, timeout=120, overrides=None):
        """Runs another `netra` command (e.g. demo-data) with this server's directory, settings
        (and `overrides` of them) and environment; returns its output, or fails with it."""
        command = [netra_bin()] + list(args) + ["--log-format", "text"]
        for key, value in dict(self.settings, **(overrides or {})).items():
            command += ["--set", f"{key}={value}"]
        result = subprocess.run(command, cwd=self.workdir, env=self._env(), capture_output=True,
                                text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        output = result.stdout + result.stderr
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{output}")
        return output

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Sends `sig` and waits for the exit; returns the exit code (negative: by a signal)."""
        if self.process is None:
            return None
        process = self.process
        if process.poll() is None:
            process.send_signal(sig)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise AssertionError(f"netra did not exit within {timeout} s of signal {sig}; "
                                 f"log:\n{self.log()[-4000:]}")
        finally:
            self.process = None
            self.port = None
        return code

    def kill(self):
        """SIGKILL: no shutdown at all, as a crash."""
        return self.stop(signal.SIGKILL, timeout=10)

    def cleanup(self):
        """Stops the process if it still runs and removes the scratch directory."""
        if self.process is not None:
            try:
                self.stop(timeout=15)
            except AssertionError:
                pass
        if self.owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _check_alive(self, when):
        if self.process.poll() is not None:
            code = self.process.returncode
            self.process = None
            raise AssertionError(f"netra exited with {code} {when}; log:\n{self.log()[-4000:]}")

    def _sleep_until(self, deadline, what):
        if time.monotonic() > deadline:
            log = self.log()[-4000:]
            self.cleanup_process()
            raise AssertionError(f"netra: no {what} in time; log:\n{log}")
        time.sleep(0.02)

    def cleanup_process(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    # --- what it says -----------------------------------------------------------------------

    def log(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for_log(self, pattern, timeout=10.0):
        """Waits until the log matches `pattern` (a regex); returns the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.log())
            if match:
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"the log never matched {pattern!r} within {timeout} s; "
                                     f"log tail:\n{self.log()[-3000:]}")
            time.sleep(0.02)

    # --- HTTP -------------------------------------------------------------------------------

    @property
    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}/ws"

    def request(self, method, path, body=None, token=None, headers=None, timeout=HTTP_TIMEOUT_S):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = dict(headers or {})
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                all_headers["Content-Type"] = "application/json"
            if token:
                all_headers["Authorization"] = f"Bearer {token}"
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            return HttpAnswer(response.status, dict(response.getheaders()),
                              response.read().decode("utf-8", "replace"))
        finally:
            conn.close()

    def json_request(self, method, path, body=None, token=None, expect=200):
        answer = self.request(method, path, body=body, token=token)
        if answer.status != expect:
            raise AssertionError(f"{method} {path}: expected {expect}, got {answer}")
        return answer.json()

    def new_user(self, prefix="user"):
        """Registers a fresh account and logs in; returns (email, password, access_token)."""
        email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
        password = "correct horse battery staple"
        self.json_request("POST", "/auth/register", {"email": email, "password": password},
                          expect=201)
        return email, password, self.login(email, password)

    def login(self, email, password):
        answer = self.json_request("POST", "/auth/login", {"email": email, "password": password})
        return answer["access_token"]


# --- PostgreSQL scratch databases -----------------------------------------------------------

PSQL = "/usr/bin/psql"


def make_test_certificates(folder):
    """An authority (ca.crt) and a certificate it signs for localhost and 127.0.0.1 (server.crt,
    server.key) in `folder`, made with the openssl tool; returns the three paths."""
    def openssl(*args):
        subprocess.run(["/usr/bin/openssl", *args], check=True, capture_output=True, timeout=30)
    path = lambda name: os.path.join(folder, name)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
            "-keyout", path("ca.key"), "-out", path("ca.crt"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", path("server.key"), "-out", path("server.csr"))
    with open(path("san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", path("server.csr"), "-CA", path("ca.crt"), "-CAkey",
            path("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", path("san.ext"),
            "-out", path("server.crt"))
    return path("ca.crt"), path("server.crt"), path("server.key")


def _required_under_ci(variable):
    """The variable's value, or None; under CI (CI set) a missing one is an error, not a skip:
    scripts/test starts the servers they name, and a run must not pass without them."""
    value = os.environ.get(variable) or None
    if value is None and os.environ.get("CI", "") not in ("", "false"):
        raise AssertionError(f"{variable} is not set: under CI every real-server case must run")
    return value


def postgres_url():
    return _required_under_ci("TEST_POSTGRES_URL")


class ScratchPostgresDatabase:
    """A database of its own on the TEST_POSTGRES_URL server, dropped by drop()."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.name = f"netra_ws_e2e_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        self._psql(f'CREATE DATABASE "{self.name}"')
        parts = urlsplit(base_url)
        self.url = urlunsplit((parts.scheme, parts.netloc, "/" + self.name, parts.query,
                               parts.fragment))

    def drop(self):
        self._psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def execute(self, sql):
        """Runs `sql` in this database (not the server's default one)."""
        self._psql(sql, self.url)

    def _psql(self, sql, url=None):
        result = subprocess.run([PSQL, url or self.base_url, "-qc", sql], capture_output=True,
                                text=True, timeout=30,
                                env={"PATH": os.environ.get("PATH", "/usr/bin")})
        if result.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed ({result.returncode}): {result.stderr}")


CLICKHOUSE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                 "scripts", "clickhouse-test-server")


def clickhouse_available():
    """ClickHouse tests run where the suite provides a ClickHouse (scripts/test sets
    TEST_CLICKHOUSE_URL); they start a server of their own with the same script."""
    return bool(_required_under_ci("TEST_CLICKHOUSE_URL"))


class ScratchClickHouse:
    """A ClickHouse server of its own (scripts/clickhouse-test-server), removed by stop().

    Two kinds of outage: pause() stops the server (connections are refused) and resume() starts
    it again on the same port; freeze() stops the process with SIGSTOP (connections are taken but
    never answered, so every call waits for its timeout) and thaw() lets it go on."""

    def __init__(self):
        result = subprocess.run([CLICKHOUSE_SCRIPT], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"clickhouse-test-server failed: {result.stdout}{result.stderr}")
        values = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        unquote = lambda v: v.strip().strip("'\"")
        self.url = unquote(values["TEST_CLICKHOUSE_URL"])
        self.user = unquote(values["TEST_CLICKHOUSE_USER"])
        self.password = unquote(values["TEST_CLICKHOUSE_PASSWORD"])
        self.dir = unquote(values["TEST_CLICKHOUSE_DIR"])

    def settings(self, timeout_ms=3000):
        """netra settings that point at this server (the password goes in env())."""
        return {"analytics.url": self.url, "analytics.user": self.user,
                "analytics.timeout_ms": str(timeout_ms)}

    def env(self):
        return {"NETRA_ANALYTICS_PASSWORD": self.password}

    def _script(self, command):
        result = subprocess.run([CLICKHOUSE_SCRIPT, command, self.dir], capture_output=True,
                                text=True, timeout=90)
        if result.returncode != 0:
            raise RuntimeError(f"clickhouse-test-server {command} failed: "
                               f"{result.stdout}{result.stderr}")

    def pause(self):
        self._script("pause")

    def resume(self):
        self._script("resume")

    def _pid(self):
        with open(os.path.join(self.dir, "pid")) as f:
            return int(f.read().strip())

    def freeze(self):
        os.kill(self._pid(), signal.SIGSTOP)

    def thaw(self):
        try:
            os.kill(self._pid(), signal.SIGCONT)
        except (OSError, ValueError):
            pass

    def stop(self):
        self.thaw()
        subprocess.run([CLICKHOUSE_SCRIPT, "stop", self.dir], capture_output=True, timeout=90)
