"""End-to-end tests of synthetic-data jobs against the real `netra serve` process.

A user queues a generation (POST /api/generation/synthetic) and hears it over a real socket:
generation_started, generation_progress after every chunk (in order), generation_completed with
the events and their cost — and the store then holds exactly that many events. Bad payloads are
400 naming the field and queue nothing; another user's job is 404; at most 3 jobs are active per
user (429 with Retry-After); a cancelled job stops within a chunk. On PostgreSQL, an instance
SIGKILLed mid-job is taken over by another once the lease lapses, and SIGTERM puts a running job
back in the queue for the next instance — in both cases the count is exactly what was asked.

Run: NETRA_BIN=build/debug/netra /usr/bin/python3 -m unittest -v jobs_e2e_test (in this folder),
or through ctest (`ctest --preset debug -R jobs_e2e`). The Postgres classes are skipped without
TEST_POSTGRES_URL (scripts/test sets it).
"""

import asyncio
import os
import pty
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from netra_process import NetraProcess, ScratchPostgresDatabase, netra_bin, postgres_url
from ws_e2e_test import STEP_S, Client, PostgresMixin, ServerTestCase

JOB_S = 120.0  # the longest a generation here may take (ASan build, 2 cores shared)
GENERATION_EVENTS = {"generation_started", "generation_progress", "generation_completed",
                     "generation_failed"}
CHUNK = 10000


async def generation_events(client, job_id, timeout=JOB_S):
    """The generation events of `job_id` on this socket up to its last (completed or failed)."""
    events = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"job {job_id} did not end within {timeout} s: {events}")
        message = await client.recv(timeout=left)
        if message.get("type") not in GENERATION_EVENTS:
            continue
        if message.get("data", {}).get("job_id") != job_id:
            continue
        events.append(message)
        if message["type"] in ("generation_completed", "generation_failed"):
            return events


def stored_events(server, token):
    """How many workload events the user has, over all time."""
    summary = server.json_request("GET", "/api/workloads/summary?from=0&group_by=workload",
                                  token=token)
    return sum(group["requests"] for group in summary["groups"])


def wait_for_job(server, token, job_id, states, timeout=JOB_S):
    """The job once its state is one of `states`."""
    deadline = time.monotonic() + timeout
    while True:
        job = server.json_request("GET", f"/api/jobs/{job_id}", token=token)["job"]
        if job["state"] in states:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} not {states} within {timeout} s: {job}")
        time.sleep(0.2)


class SyntheticJobs(ServerTestCase):
    """One instance on SQLite (again on PostgreSQL below)."""

    async def start(self, token, body, expect=202):
        answer = await self.raw_http("POST", "/api/generation/synthetic", body, token)
        self.assertEqual(answer.status, expect, answer)
        return answer

    async def test_progress_reaches_the_socket_in_order_and_ends_with_completed(self):
        token = await self.user("gen")
        client = await self.established(token)
        templates = await self.http("GET", "/api/generation/templates", token=token)
        self.assertIn("customer-support-chatbot", [t["id"] for t in templates["templates"]])
        answer = await self.start(token, {"template": "customer-support-chatbot",
                                          "events": 25000, "days": 7, "seed": 3})
        job = answer.json()["job"]
        self.assertEqual(answer.headers.get("Location"), f"/api/jobs/{job['id']}")
        self.assertEqual((job["kind"], job["state"]), ("synthetic_workload", "queued"))

        events = await generation_events(client, job["id"])
        types = [e["type"] for e in events]
        self.assertEqual(types, ["generation_started"] + ["generation_progress"] * 3
                         + ["generation_completed"], events)
        progress = [e["data"] for e in events if e["type"] == "generation_progress"]
        self.assertEqual([p["events_written"] for p in progress], [10000, 20000, 25000])
        self.assertEqual([p["progress"] for p in progress], sorted(p["progress"] for p in progress))
        self.assertEqual(progress[-1]["progress"], 1.0)
        self.assertTrue(all(isinstance(p["eta_ms"], int) for p in progress), progress)
        completed = events[-1]["data"]
        self.assertEqual(completed["events"], 25000)
        self.assertGreater(completed["cost_usd"], 0)

        done = await asyncio.to_thread(wait_for_job, self.server, token, job["id"], {"succeeded"})
        self.assertEqual(done["result"]["events"], 25000)
        self.assertEqual(done["result"]["cost_usd"], completed["cost_usd"])
        self.assertEqual(await asyncio.to_thread(stored_events, self.server, token), 25000)
        summary = await self.http("GET", "/api/workloads/summary?from=0&group_by=workload",
                                  token=token)
        self.assertEqual(sorted(g["key"] for g in summary["groups"]),
                         ["support-chat", "ticket-classifier"])

    async def test_bad_payloads_get_400_naming_the_field_and_queue_nothing(self):
        token = await self.user("bad")
        cases = [({"events": -5}, "events"),
                 ({"template": "no-such-template"}, "template"),
                 ({"events": 10_000_000}, "events"),
                 ({"days": 366}, "days"),
                 ({"workloads": ["support-chat", "nope"]}, "workloads[1]"),
                 ({"template": "demo", "workloads": ["support-chat"]}, "workloads"),
                 ({"events": "many"}, "events"),
                 ({"colour": "blue"}, "colour")]
        for body, field in cases:
            answer = await self.start(token, body, expect=400)
            error = answer.json()["error"]
            self.assertEqual(error["code"], "invalid_request", body)
            self.assertIn(field, error["fields"], (body, error))
        self.assertEqual((await self.http("GET", "/api/jobs", token=token))["jobs"], [])
        unauthenticated = await self.raw_http("POST", "/api/generation/synthetic", {})
        self.assertEqual(unauthenticated.status, 401)

    async def test_another_users_job_is_404_and_never_listed(self):
        owner = await self.user("owner")
        other = await self.user("other")
        job = (await self.start(owner, {"events": 100, "days": 1})).json()["job"]
        for method, path in (("GET", f"/api/jobs/{job['id']}"),
                             ("POST", f"/api/jobs/{job['id']}/cancel"),
                             ("GET", "/api/jobs/job_nobodys"),
                             ("GET", "/api/jobs/not-a-job-id")):
            answer = await self.raw_http(method, path, None, other)
            self.assertEqual(answer.status, 404, (method, path, answer))
        self.assertEqual((await self.http("GET", "/api/jobs", token=other))["jobs"], [])
        mine = await self.http("GET", "/api/jobs?kind=synthetic_workload", token=owner)
        self.assertEqual([j["id"] for j in mine["jobs"]], [job["id"]])
        bad_filter = await self.raw_http("GET", "/api/jobs?state=sleeping", None, owner)
        self.assertEqual(bad_filter.status, 400)
        self.assertIn("state", bad_filter.json()["error"]["fields"])

    async def test_three_active_jobs_at_most_and_a_cancelled_job_stops_within_a_chunk(self):
        token = await self.user("busy")
        client = await self.established(token)
        jobs = []
        for seed in range(3):
            answer = await self.start(token, {"template": "demo", "events": 1_000_000,
                                              "days": 30, "seed": seed})
            jobs.append(answer.json()["job"]["id"])
        fourth = await self.start(token, {"events": 10}, expect=429)
        self.assertEqual(fourth.json()["error"]["code"], "too_many_jobs")
        self.assertTrue(fourth.headers.get("Retry-After", "").isdigit(), fourth.headers)

        # The first job is running: cancel it after its first progress event.
        heard = []
        while True:
            message = await client.recv(timeout=JOB_S)
            if message.get("type") == "generation_progress" and \
                    message["data"]["job_id"] == jobs[0]:
                heard.append(message["data"]["events_written"])
                break
        cancel = await self.raw_http("POST", f"/api/jobs/{jobs[0]}/cancel", None, token)
        self.assertEqual(cancel.status, 202, cancel)  # running: it stops at its next chunk
        at_cancel = round(cancel.json()["job"]["progress"] * 1_000_000)
        for job_id in jobs[1:]:
            answer = await self.raw_http("POST", f"/api/jobs/{job_id}/cancel", None, token)
            self.assertIn(answer.status, (200, 202), answer)
        ended = [await asyncio.to_thread(wait_for_job, self.server, token, job_id, {"cancelled"})
                 for job_id in jobs]
        # The chunk being written when the cancel came is finished, and then it stops (its
        # recorded progress may also have been a chunk behind what it had written).
        self.assertLessEqual(round(ended[0]["progress"] * 1_000_000), at_cancel + 2 * CHUNK)
        failed = [m for m in await self.drain(client)
                  if m.get("type") == "generation_failed" and m["data"]["job_id"] == jobs[0]]
        self.assertEqual([m["data"]["code"] for m in failed], ["cancelled"], failed)
        stored = await asyncio.to_thread(stored_events, self.server, token)
        self.assertEqual(stored, sum(round(j["progress"] * 1_000_000) for j in ended), ended)
        after = await self.raw_http("POST", f"/api/jobs/{jobs[0]}/cancel", None, token)
        self.assertEqual(after.status, 200, after)  # cancelling a cancelled job changes nothing
        self.assertEqual((await self.start(token, {"events": 10, "days": 1})).status, 202)

    async def drain(self, client, quiet_s=1.0):
        """What the socket says until it is quiet for `quiet_s`."""
        messages = []
        while True:
            try:
                messages.append(await client.recv(timeout=quiet_s))
            except asyncio.TimeoutError:
                return messages


class SyntheticJobsPostgres(PostgresMixin, SyntheticJobs):
    pass


class SyntheticJobTakeover(unittest.IsolatedAsyncioTestCase):
    """Instances on one scratch PostgreSQL database, each test starting its own: a job survives
    the SIGKILL of its instance (taken over once its 2 s lease lapsed) and the SIGTERM of its
    instance (released at once), and the store then holds exactly the events asked for."""

    SETTINGS = {"tasks.lease_ms": "2000", "tasks.poll_interval_ms": "200"}

    def setUp(self):
        base = postgres_url()
        if not base:
            raise unittest.SkipTest("TEST_POSTGRES_URL is not set")
        self.database = ScratchPostgresDatabase(base)
        self.env = {"NETRA_DATABASE_URL": self.database.url,
                    "DISABLED_COMPONENTS": "agent_supervisor"}
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.cleanup()
        self.database.drop()

    def server(self, workdir=None):
        server = NetraProcess(self.SETTINGS, env=self.env, workdir=workdir)
        self.servers.append(server)
        return server.start()

    def wait_for_progress(self, server, token, job_id, at_least):
        deadline = time.monotonic() + JOB_S
        while True:
            job = server.json_request("GET", f"/api/jobs/{job_id}", token=token)["job"]
            if job["progress"] >= at_least:
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"no progress to {at_least} within {JOB_S} s: {job}")
            time.sleep(0.05)

    def start_job(self, server, token, events):
        return server.json_request("POST", "/api/generation/synthetic",
                                   {"events": events, "days": 30, "seed": 11}, token=token,
                                   expect=202)["job"]["id"]

    def test_an_instance_killed_mid_job_is_taken_over_and_the_count_is_exact(self):
        first = self.server()
        email, password, token = first.new_user("takeover")
        job_id = self.start_job(first, token, 120_000)
        self.wait_for_progress(first, token, job_id, 0.2)
        second = self.server(workdir=None)  # its own keys: sign in there again
        first.kill()
        token = second.login(email, password)
        started = time.monotonic()
        job = wait_for_job(second, token, job_id, {"succeeded", "dead", "failed"})
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(job["attempts"], 2, job)
        self.assertEqual(job["result"]["events"], 120_000)
        self.assertEqual(stored_events(second, token), 120_000)
        self.assertRegex(second.log(), rf"job {job_id} \(synthetic_workload\) started by .*attempt 2")
        self.assertLess(time.monotonic() - started, JOB_S)

    def test_sigterm_puts_the_running_job_back_for_the_next_instance(self):
        first = self.server()
        email, password, token = first.new_user("release")
        job_id = self.start_job(first, token, 80_000)
        self.wait_for_progress(first, token, job_id, 0.2)
        self.assertEqual(first.stop(signal.SIGTERM), 0)
        self.assertRegex(first.log(), r"synthetic_workload\) released for another instance")
        second = self.server()
        token = second.login(email, password)
        job = wait_for_job(second, token, job_id, {"succeeded", "dead", "failed"})
        self.assertEqual(job["state"], "succeeded", job)
        self.assertEqual(job["attempts"], 1, job)  # a release does not count an attempt
        self.assertEqual(stored_events(second, token), 80_000)


class DemoDataProgress(unittest.TestCase):
    """`netra demo-data` draws a bar in place on a terminal (a pseudo-terminal here) and writes
    a line per batch when its output is a pipe."""

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="netra-demo-data-")
        self.addCleanup(shutil.rmtree, self.workdir, ignore_errors=True)

    def demo_data(self, *args, terminal):
        command = [netra_bin(), "demo-data", "--email", "bar@example.com", *args]
        env = {k: os.environ[k] for k in ("PATH", "HOME", "ASAN_OPTIONS", "UBSAN_OPTIONS")
               if k in os.environ}
        if not terminal:
            done = subprocess.run(command, cwd=self.workdir, env=env, capture_output=True,
                                  text=True, timeout=JOB_S, stdin=subprocess.DEVNULL)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            return done.stdout
        leader, follower = pty.openpty()
        process = subprocess.Popen(command, cwd=self.workdir, env=env, stdout=follower,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end closed
                break
            if not chunk:
                break
            output += chunk
        os.close(leader)
        self.assertEqual(process.wait(timeout=JOB_S), 0, output)
        return output.decode()

    def test_a_bar_on_a_terminal_and_lines_on_a_pipe(self):
        bar = self.demo_data("--events", "30000", "--template", "coding-assistant", terminal=True)
        self.assertIn("\r[##########--------------------]  33%  10000 / 30000 events", bar)
        self.assertIn("\r[##############################] 100%  30000 / 30000 events", bar)
        self.assertIn("wrote 30000 events", bar)
        lines = self.demo_data("--events", "25000", terminal=False)
        self.assertNotIn("\r", lines)
        self.assertIn("10000 of 25000 events written (40%)\n20000 of 25000 events written (80%)\n"
                      "25000 of 25000 events written (100%)\n", lines)
        self.assertIn("reused account bar@example.com", lines)


if __name__ == "__main__":
    unittest.main()
