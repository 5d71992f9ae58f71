"""The container image that scripts/image builds (deploy/Containerfile), run with podman as the
README shows: it answers its three probes, its process runs as the non-root user the Kubernetes
manifest declares, keeps its state in its own folder, passes its HEALTHCHECK, and stops cleanly
on SIGTERM. Each class starts a container of its own on a free loopback port and always removes
it; every podman call and every wait has a timeout, and the container itself is killed by podman
after CONTAINER_TIMEOUT_S should this process die without cleaning up.

Needs the image (scripts/image; scripts/test runs it before ctest) and podman. Without them the
classes are skipped, except under CI (CI set), where that is a failure.

Run: /usr/bin/python3 -m unittest -v image_test (in this folder), or `ctest -R image`.
Environment: NETRA_IMAGE (default localhost/netra:latest); CONTAINERS_CONF (default the one
scripts/image writes, build/image/containers.conf).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
IMAGE = os.environ.get("NETRA_IMAGE") or "localhost/netra:latest"
PODMAN = shutil.which("podman") or "/usr/bin/podman"
READY_DEADLINE_S = 60
STOP_TIMEOUT_S = 20
CONTAINER_TIMEOUT_S = 300  # podman kills the container after this whatever happens to the test
PODMAN_CALL_TIMEOUT_S = 60


def podman_env():
    env = dict(os.environ)
    if not env.get("CONTAINERS_CONF"):
        env["CONTAINERS_CONF"] = os.path.join(ROOT, "build", "image", "containers.conf")
    return env


def podman(*args, timeout=PODMAN_CALL_TIMEOUT_S, check=True):
    """Runs `podman ARGS` (with --runtime runc where it runs something) and returns it."""
    return subprocess.run([PODMAN, *args], env=podman_env(), capture_output=True, text=True,
                          timeout=timeout, check=check)


def image_missing():
    """Why the image cannot be used, or None."""
    if not os.path.exists(PODMAN):
        return "podman is needed (scripts/setup)"
    if not os.path.exists(podman_env()["CONTAINERS_CONF"]):
        return f"{podman_env()['CONTAINERS_CONF']} is needed (scripts/image writes it)"
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        return f"the image {IMAGE} is needed (scripts/image)"
    return None


def kubernetes_uid():
    """runAsUser in deploy/k8s/deployment.yaml: the uid the image's user must have."""
    with open(os.path.join(ROOT, "deploy", "k8s", "deployment.yaml"), encoding="utf-8") as f:
        return int(re.search(r"^\s*runAsUser:\s*(\d+)\s*$", f.read(), re.M).group(1))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=2):
    """(status, body) of GET url; (None, error) when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, OSError) as e:
        return None, str(e)


class Container:
    """`podman run --rm IMAGE` in the foreground (its exit status is the container's), on a free
    loopback port; stop() sends SIGTERM through `podman stop`, remove() makes sure it is gone."""

    def __init__(self, env=None):
        self.name = f"netra-image-test-{uuid.uuid4().hex[:12]}"
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="netra-image-test-", suffix=".log")
        command = [PODMAN, "run", "--rm", "--runtime", "runc", "--name", self.name,
                   "--timeout", str(CONTAINER_TIMEOUT_S), "--stop-timeout", str(STOP_TIMEOUT_S),
                   # the HEALTHCHECK is run by hand below: no systemd timer for it
                   "--health-interval", "disable",
                   "-p", f"127.0.0.1:{self.port}:8000"]
        for key, value in (env or {}).items():
            command += ["-e", f"{key}={value}"]
        self.process = subprocess.Popen(command + [IMAGE], env=podman_env(),
                                        stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_ready(self):
        """Seconds until GET /health/ready answered 200; fails after READY_DEADLINE_S."""
        start = time.monotonic()
        last = None
        while time.monotonic() - start < READY_DEADLINE_S:
            if self.process.poll() is not None:
                raise AssertionError(f"the container exited ({self.process.returncode}) before "
                                     f"it was ready:\n{self.output()[-4000:]}")
            status, body = get(self.url + "/health/ready", timeout=1)
            if status == 200:
                return time.monotonic() - start
            last = (status, body)
            time.sleep(0.2)
        raise AssertionError(f"/health/ready not 200 within {READY_DEADLINE_S} s (last: {last}):"
                             f"\n{self.output()[-4000:]}")

    def stop(self):
        """SIGTERM through `podman stop`, in the background; wait_exit() is its outcome."""
        self.stopper = subprocess.Popen([PODMAN, "stop", "--time", str(STOP_TIMEOUT_S), self.name],
                                        env=podman_env(), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_exit(self):
        """The container's exit status, once `podman stop` is done."""
        self.stopper.wait(timeout=STOP_TIMEOUT_S + 30)
        return self.process.wait(timeout=30)

    def remove(self):
        podman("rm", "--force", "--volumes", "--time", "0", self.name, check=False)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


class ImageTestCase(unittest.TestCase):
    env = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = image_missing()
        if missing:
            if os.environ.get("CI", "") not in ("", "false"):
                raise AssertionError(f"{missing}: under CI the image test must run")
            raise unittest.SkipTest(missing)
        cls.container = Container(cls.env)
        cls.addClassCleanup(cls.container.remove)
        cls.ready_after_s = cls.container.wait_ready()


class ImageServes(ImageTestCase):
    """The image as `podman run` starts it, with nothing but a published port."""

    def test_probes_answer(self):
        self.assertLess(self.ready_after_s, READY_DEADLINE_S)
        for route in ("/health/ready", "/health/live", "/health/startup"):
            status, body = get(self.container.url + route)
            self.assertEqual(status, 200, f"{route}: {body}")
        status, body = get(self.container.url + "/health/ready")
        self.assertEqual(json.loads(body)["status"], "ready")

    def test_runs_as_the_non_root_user_of_the_manifest(self):
        status = podman("exec", self.container.name, "cat", "/proc/1/status", "/proc/1/comm").stdout
        self.assertTrue(status.rstrip().endswith("netra"), status)  # netra itself is PID 1
        uids = [int(u) for u in re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()]
        gids = [int(g) for g in re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()]
        self.assertNotIn(0, uids + gids)
        self.assertEqual(set(uids), {kubernetes_uid()})

    def test_state_is_kept_in_its_own_folder(self):
        # The SQLite database and the generated signing key, owner-only, owned by that user.
        listing = podman("exec", self.container.name, "stat", "-c", "%n %u %a",
                         "/var/lib/netra", "/var/lib/netra/netra.db", "/var/lib/netra/keys").stdout
        uid = kubernetes_uid()
        self.assertEqual(listing.split("\n")[:3],
                         [f"/var/lib/netra {uid} 700", f"/var/lib/netra/netra.db {uid} 600",
                          f"/var/lib/netra/keys {uid} 700"])

    def test_healthcheck_probes_readiness(self):
        config = json.loads(podman("image", "inspect", "--format", "{{json .Config.Healthcheck}}",
                                   IMAGE).stdout)
        self.assertIn("/health/ready", " ".join(config["Test"]))
        self.assertEqual(podman("healthcheck", "run", self.container.name, check=False).returncode,
                         0)
        for route, expected in (("/health/live", 0), ("/health/startup", 0), ("/nowhere", 1)):
            result = podman("exec", self.container.name, "netra-probe", route, check=False)
            self.assertEqual(result.returncode, expected, route)


class ImageStops(ImageTestCase):
    """SIGTERM reaches netra as PID 1: readiness drops, it drains and exits 0 in time."""

    env = {"NETRA_SERVER_DRAIN_DELAY_MS": "1000"}

    def test_sigterm_drains_and_exits_zero(self):
        start = time.monotonic()
        self.container.stop()
        statuses = []
        # During the drain delay it still serves, but readiness is 503.
        while time.monotonic() - start < STOP_TIMEOUT_S and self.container.process.poll() is None:
            statuses.append(get(self.container.url + "/health/ready", timeout=1)[0])
            if statuses[-1] == 503:
                break
            time.sleep(0.05)
        self.assertEqual(statuses[-1], 503, statuses)
        self.assertEqual(self.container.wait_exit(), 0, self.container.output()[-4000:])
        took = time.monotonic() - start
        self.assertGreaterEqual(took, 1.0)  # the drain delay was honoured: no SIGKILL at once
        self.assertLess(took, STOP_TIMEOUT_S)  # and no SIGKILL at the end either
        self.assertIn("received SIGTERM", self.container.output())


if __name__ == "__main__":
    unittest.main()
