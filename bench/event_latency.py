#!/usr/bin/python3
"""The client of bench/event_latency.sh (Debian's python3-websockets): agent run events from runs
executing on instance A, heard by the same user's socket on A (the one-instance path) and by the
same user's socket on B (across instances, through Redis pub/sub: RunEventFanout), in one run.

  event_latency.py PORT_A PORT_B RATE SECONDS USERS

USERS accounts register and log in on A; each holds one socket on A and one on B. A few warm-up
runs (one per user, not measured) count the events of a run; then start_agent messages are sent on
the A sockets, round-robin over the users, at RATE / (events per run) runs a second for SECONDS,
and every run is awaited to its last event on both sockets. Latency of an event on a socket: the
wall time the client got it minus its `timestamp` (set by the server just before it stores the
step). Prints the result table.

With EVENT_LATENCY_CSV=FILE set, also writes one row per event there (user, run_id, seq,
timestamp, receive times on A and on B). With EVENT_LATENCY_QUICKACK=1 the client sets
TCP_QUICKACK on its sockets after every message (a diagnosis: it takes out of the figures the stall
of Nagle's algorithm on the server's sockets waiting for the client's delayed ACK).
"""
import asyncio, csv, json, os, socket, sys, time, urllib.error, urllib.request
from concurrent.futures import ThreadPoolExecutor
import websockets

RUN_EVENTS = {"agent_started", "agent_thinking", "tool_executing", "tool_completed",
              "agent_completed", "agent_error"}
FINAL = {"agent_completed", "agent_error"}
REQUEST = "How can I cut my LLM costs over the last 14 days?"


def call(port, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def account(port, i):
    body = {"email": f"latency-{i}@example.com", "password": "a long enough password"}
    status, answer = call(port, "/auth/register", body)
    if status not in (201, 409):
        raise SystemExit(f"register {body['email']}: {status} {answer}")
    status, answer = call(port, "/auth/login", body)
    if status != 200:
        raise SystemExit(f"login {body['email']}: {status} {answer}")
    return answer["access_token"]


class Path:
    """What one side (the sockets on A, or those on B) heard: (run_id, seq) -> receive times."""

    def __init__(self, name):
        self.name = name
        self.received = {}   # (run_id, seq) -> [receive wall time s, ...]
        self.stamp = {}      # (run_id, seq) -> server timestamp s
        self.order = {}      # run_id -> highest seq heard so far
        self.out_of_order = 0
        self.final = {}      # run_id -> seq of its last event
        self.codes = {}      # agent_error code -> count
        self.user = {}       # run_id -> the index of the user whose socket heard it

    def heard(self, now, event, user):
        run, seq = event["run_id"], event["seq"]
        self.user[run] = user
        if (run, seq) not in self.received and seq < self.order.get(run, 0):
            self.out_of_order += 1  # first heard after a later seq of its run
        self.received.setdefault((run, seq), []).append(now)
        self.stamp[(run, seq)] = event["timestamp"]
        self.order[run] = max(seq, self.order.get(run, 0))
        if event["type"] in FINAL:
            self.final[run] = seq
            if event["type"] == "agent_error":
                code = event.get("data", {}).get("code", "?")
                self.codes[code] = self.codes.get(code, 0) + 1

    def clear(self):
        self.__init__(self.name)


async def reader(ws, path, user, answers):
    sock = ws.transport.get_extra_info("socket")
    quickack = os.environ.get("EVENT_LATENCY_QUICKACK") == "1"
    async for text in ws:
        now = time.time()
        if quickack:  # acknowledge what arrived now, not after the delayed-ACK timer
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        message = json.loads(text)
        if message.get("type") in RUN_EVENTS and "seq" in message:
            path.heard(now, message, user)
        elif answers is not None:
            answers[message.get("type")] = answers.get(message.get("type"), 0) + 1


async def until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


async def main(port_a, port_b, rate, seconds, users):
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda i: account(port_a, i), range(users)))
    local, cross = Path("same instance (A -> A)"), Path("across instances (A -> B)")
    answers = {}  # what the A sockets were answered besides events (run_accepted, error, ...)
    a_sockets, tasks = [], []
    for user, token in enumerate(tokens):
        headers = {"Authorization": "Bearer " + token}
        for port, path in ((port_a, local), (port_b, cross)):
            ws = await asyncio.wait_for(websockets.connect(
                f"ws://127.0.0.1:{port}/ws", extra_headers=headers, ping_interval=None,
                compression=None, max_size=None), 30)
            greeting = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert greeting["type"] == "connection_established", greeting
            if path is local:
                a_sockets.append(ws)
            heard_answers = answers if path is local else None
            tasks.append(asyncio.create_task(reader(ws, path, user, heard_answers)))
    start = json.dumps({"type": "start_agent", "payload": {"user_request": REQUEST}})

    def ended(expected):  # every run A heard of has ended, and B heard its last event
        return len(local.final) >= expected and all(r in cross.final for r in local.final)

    # Warm-up: one run per user; counts the events of a run. Not measured.
    for ws in a_sockets:
        await ws.send(start)
    if not await until(lambda: ended(users), 120):
        raise SystemExit(f"warm-up runs did not end within 120 s: {len(local.final)} of {users}")
    per_run = sorted(local.final.values())[len(local.final) // 2]
    warm_codes = dict(local.codes)
    await asyncio.sleep(0.5)
    local.clear(); cross.clear(); answers.clear()
    if warm_codes:
        print(f"warm-up runs failed: {warm_codes}", file=sys.stderr)

    runs_per_s = rate / per_run
    runs = max(1, round(runs_per_s * seconds))
    began = time.monotonic()
    for i in range(runs):
        delay = began + i / runs_per_s - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await a_sockets[i % users].send(start)
    sent_for = time.monotonic() - began
    complete = await until(lambda: ended(runs), 60)
    await asyncio.sleep(0.5)  # anything duplicated late
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    # What A stored and delivered is the reference: runs 1..final on A, each seq once.
    expected = {(run, seq) for run, last in local.final.items() for seq in range(1, last + 1)}
    lost_a = len(expected - local.received.keys())
    lost_b = len(expected - cross.received.keys())
    dup_a = sum(len(t) - 1 for t in local.received.values())
    dup_b = sum(len(t) - 1 for t in cross.received.values())
    lat = {}
    for path in (local, cross):
        lat[path.name] = [(times[0] - path.stamp[key]) * 1000
                          for key, times in path.received.items()]
    gap = [(cross.received[key][0] - local.received[key][0]) * 1000
           for key in expected if key in cross.received and key in local.received]
    stamps = [local.stamp[key] for key in local.received]
    span = max(stamps) - min(stamps) if stamps else 0
    events = len(local.received)
    accepted = answers.get("run_accepted", 0)

    if os.environ.get("EVENT_LATENCY_CSV"):  # one row per event, for a closer look
        with open(os.environ["EVENT_LATENCY_CSV"], "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["user", "run_id", "seq", "timestamp_s", "received_on_a_s",
                          "received_on_b_s"])
            for key in sorted(expected, key=lambda k: local.stamp.get(k, 0)):
                out.writerow([local.user[key[0]], key[0], key[1], local.stamp.get(key, ""),
                              local.received.get(key, [""])[0], cross.received.get(key, [""])[0]])

    print(f"events per run: {per_run} (median over the warm-up); runs started: {runs} "
          f"at {runs_per_s:.1f}/s over {sent_for:.1f} s, {accepted} accepted, "
          f"{len(local.final)} ended on A" + ("" if complete else " (NOT all within 60 s)"))
    if local.codes:
        print(f"runs that ended in agent_error: {local.codes}")
    other = {k: v for k, v in answers.items() if k != "run_accepted"}
    if other:
        print(f"other answers on the A sockets: {other}")
    print(f"achieved: {events} events on A in {span:.1f} s of server timestamps = "
          f"{events / span if span else 0:.0f} events/s (target {rate})")
    print()
    print(f"{'path':<30} {'events':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for path in (local, cross):
        values = lat[path.name]
        print(f"{path.name:<30} {len(values):>8} {percentile(values, 0.5):>8.2f} "
              f"{percentile(values, 0.99):>8.2f}")
    l50, l99 = percentile(lat[local.name], 0.5), percentile(lat[local.name], 0.99)
    c50, c99 = percentile(lat[cross.name], 0.5), percentile(lat[cross.name], 0.99)
    print(f"{'ratio across / same':<30} {'':>8} {c50 / l50:>8.2f} {c99 / l99:>8.2f}")
    print(f"{'B minus A, same event':<30} {len(gap):>8} {percentile(gap, 0.5):>8.2f} "
          f"{percentile(gap, 0.99):>8.2f}")
    print()
    print(f"on B: lost {lost_b}, duplicated {dup_b}, out of seq order {cross.out_of_order} "
          f"(each should be 0)")
    print(f"on A: lost {lost_a}, duplicated {dup_a}, out of seq order {local.out_of_order}")
    return 0 if complete and not (lost_b or dup_b or cross.out_of_order) else 1


if __name__ == "__main__":
    port_a, port_b, rate, seconds, users = sys.argv[1:6]
    sys.exit(asyncio.run(main(int(port_a), int(port_b), int(rate), float(seconds), int(users))))
