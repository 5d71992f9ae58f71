"""The client of bench/soak.sh (Debian's python3-websockets, so /usr/bin/python3): a mixed load on one `netra serve` for MINUTES,
reporting every minute the server's resident memory and open descriptors, and every error.

  soak.py PORT PID MINUTES USERS

Each of USERS accounts loops over a weighted mix: list its threads (40 %), post a message
(25 %), open a socket, hear `connection_established`, ping and leave (15 %), ingest a batch of 100 workload
events (15 %), start an agent run over REST and wait for it to end (5 %). Tokens are renewed by
logging in again every 10 minutes (they last 15). An error is a 5xx, no answer, or a socket that
does not open; 4xx answers the mix can cause (409 run_active, 429 too_many_runs or the ingest rate)
are counted apart and are not errors.

Prints one line per minute and a verdict: memory growth after the first five minutes (the median
of the last five minutes against that of minutes 6-10; target < 10 %), descriptors (target:
flat), errors (target: 0).
"""
import asyncio, json, random, statistics, sys, time, urllib.error, urllib.request
from collections import Counter

import websockets

PASSWORD = "a long enough soak password"


def call(port, method, path, body=None, token=None, timeout=30):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
    except Exception as e:  # no answer: refused, reset, timed out
        return 0, str(e)


def sample(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    import os
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class Soak:
    def __init__(self, port, pid):
        self.port, self.pid = port, pid
        self.outcomes = Counter()   # "what status"
        self.errors = Counter()
        self.first_errors = []

    def note(self, what, status):
        self.outcomes[f"{what} {status}"] += 1
        if status == 0 or status >= 500:
            self.errors[what] += 1
            if len(self.first_errors) < 10:
                self.first_errors.append(f"{time.strftime('%H:%M:%S')} {what}: {status}")

    async def http(self, what, method, path, body=None, token=None, timeout=30):
        status, answer = await asyncio.to_thread(call, self.port, method, path, body, token,
                                                 timeout)
        self.note(what, status)
        return status, answer

    async def sign_in(self, email):
        await self.http("register", "POST", "/auth/register",
                        {"email": email, "password": PASSWORD})
        status, answer = await self.http("login", "POST", "/auth/login",
                                         {"email": email, "password": PASSWORD})
        return answer["access_token"] if status == 200 else None

    async def socket(self, token):
        try:
            async with websockets.connect(f"ws://127.0.0.1:{self.port}/ws",
                                          subprotocols=[f"jwt.{token}"], open_timeout=10,
                                          ping_interval=None) as ws:
                first = json.loads(await asyncio.wait_for(ws.recv(), 10))
                pong = await ws.ping()
                await asyncio.wait_for(pong, 10)
                self.note("socket", 101 if first.get("type") == "connection_established" else 0)
        except Exception:
            self.note("socket", 0)

    async def run(self, token, thread):
        status, answer = await self.http("run start", "POST", f"/api/threads/{thread}/runs",
                                         {"user_request": "How can I cut my LLM costs?"}, token)
        if status != 202:
            return
        run_id = answer["run"]["id"]
        for _ in range(600):
            status, run = await self.http("run poll", "GET", f"/api/runs/{run_id}", None, token)
            if status != 200 or run["status"] not in ("queued", "running"):
                return
            await asyncio.sleep(0.2)

    def events(self):
        now = int(time.time() * 1000)
        return [{"timestamp": now - i, "workload_id": f"w{i % 3}", "provider": "openai",
                 "model": random.choice(["gpt-4o", "gpt-4o-mini"]), "input_tokens": 100 + i,
                 "output_tokens": 20, "latency_ms": 300 + i, "cost_usd": 0.001}
                for i in range(100)]

    async def user(self, index, until):
        email = f"soak-{index}-{int(time.time())}@example.com"
        token = await self.sign_in(email)
        if token is None:
            return
        renewed = time.monotonic()
        status, thread = await self.http("thread create", "POST", "/api/threads",
                                         {"title": f"soak {index}"}, token)
        thread_id = thread["id"] if status == 201 else None
        while time.monotonic() < until:
            if time.monotonic() - renewed > 600:
                token = await self.sign_in(email) or token
                renewed = time.monotonic()
            pick = random.random()
            if pick < 0.40 or thread_id is None:
                await self.http("threads list", "GET", "/api/threads?limit=20", None, token)
            elif pick < 0.65:
                await self.http("message post", "POST", f"/api/threads/{thread_id}/messages",
                                {"message": "soak message " + str(random.random())}, token)
            elif pick < 0.80:
                await self.socket(token)
            elif pick < 0.95:
                await self.http("ingest", "POST", "/api/workloads/events", self.events(), token)
            else:
                await self.run(token, thread_id)
            await asyncio.sleep(random.uniform(0.0, 0.05))

    async def monitor(self, minutes, started):
        rows = []
        for minute in range(1, minutes + 1):
            await asyncio.sleep(max(0, started + 60 * minute - time.monotonic()))
            rss, fds = sample(self.pid)
            requests = sum(self.outcomes.values())
            rows.append((minute, rss, fds))
            print(f"minute {minute:3d}: rss {rss / 1024:7.1f} MiB  fds {fds:5d}  "
                  f"calls {requests:8d}  errors {sum(self.errors.values())}", flush=True)
        return rows


async def main(port, pid, minutes, users):
    soak = Soak(port, pid)
    started = time.monotonic()
    until = started + 60 * minutes
    monitor = asyncio.create_task(soak.monitor(minutes, started))
    await asyncio.gather(*(soak.user(i, until) for i in range(users)))
    rows = await monitor
    print("\noutcomes:", ", ".join(f"{k}: {v}" for k, v in sorted(soak.outcomes.items())))
    # Resident memory swings by a fifth from one minute to the next (jemalloc gives idle pages back
    # between bursts of agent runs), so one sample against one sample says little: the growth is
    # the median of the last five minutes against the median of minutes 6-10 (or, for a short
    # soak, the last five against the five before them, whatever is there).
    settled = rows[5:] if len(rows) > 5 else rows
    early, late = settled[:5], settled[-5:]
    early_mib = statistics.median(r[1] for r in early) / 1024
    late_mib = statistics.median(r[1] for r in late) / 1024
    growth = (late_mib - early_mib) / early_mib * 100
    print(f"memory: median {early_mib:.1f} MiB in minutes {early[0][0]}-{early[-1][0]}, "
          f"{late_mib:.1f} MiB in minutes {late[0][0]}-{late[-1][0]}: {growth:+.1f} % "
          f"(target < 10 %); every minute after the fifth within "
          f"{min(r[1] for r in settled) / 1024:.1f}-{max(r[1] for r in settled) / 1024:.1f} MiB")
    fds = [r[2] for r in settled]
    print(f"descriptors: {min(fds)}-{max(fds)} after minute 5, {rows[-1][2]} at the end")
    print(f"errors: {sum(soak.errors.values())} (target 0)", dict(soak.errors))
    for line in soak.first_errors:
        print("  ", line)
    return 0 if growth < 10 and not soak.errors else 1


if __name__ == "__main__":
    port, pid, minutes, users = (int(a) for a in sys.argv[1:5])
    sys.exit(asyncio.run(main(port, pid, minutes, users)))
