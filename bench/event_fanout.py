"""Server-sent events beside WebSocket: one user's live events fanned out to N subscribers.

Run by bench/event_fanout.sh (which starts the server). For each mode in turn (sse, ws, ...; a
first round of each not counted):
N connections of one user subscribe — GET /api/events, or a WebSocket on /ws — then the client
creates K threads over REST (8 requests in flight), each of which the server sends to every
subscriber as a thread_created event. Delivered per second = N x K / (from the first POST to the
moment the last subscriber had all K). Both kinds of subscriber are raw asyncio sockets that count
the bytes '"type":"thread_created"' as they arrive, so neither client parses more than the other
(SSE: each event is one chunk; WebSocket: server frames are unmasked, so the JSON is in the bytes
as sent). A subscriber that misses an event makes the round fail.
"""
import asyncio
import base64
import json
import os
import resource
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import ws_bench  # noqa: E402

NEEDLE = b'"type":"thread_created"'
port, subscribers, events, rounds = (int(a) for a in sys.argv[1:5])


class Subscriber:
    def __init__(self):
        self.count = 0
        self.done_at = None
        self.tail = b""
        self.reader = self.writer = None

    def take(self, data, wanted):
        buf = self.tail + data
        self.count += buf.count(NEEDLE)  # the tail is shorter than the needle: no double count
        self.tail = buf[-(len(NEEDLE) - 1):]
        if self.count >= wanted and self.done_at is None:
            self.done_at = time.perf_counter()


async def open_sse(token):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}"
                  "\r\nAccept: text/event-stream\r\n\r\n").encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"GET /api/events: {head[:200]!r}")
    await asyncio.wait_for(reader.readuntil(b"\n\n"), 30)  # ": connected" and the retry line
    return reader, writer


async def open_ws(token):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13"
                  f"\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit(f"GET /ws: {head[:200]!r}")
    seen = b""
    while b"connection_established" not in seen:  # the server's first message
        seen += await asyncio.wait_for(reader.read(4096), 30)
    return reader, writer


async def pump(sub, wanted):
    while True:
        data = await sub.reader.read(65536)
        if not data:
            return
        sub.take(data, wanted)


def post_thread(token, n):
    body = json.dumps({"title": f"fan-out {n}"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/threads", body,
                                 {"Content-Type": "application/json",
                                  "Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        if r.status != 201:
            raise SystemExit(f"POST /api/threads: {r.status}")


async def one_round(mode, token):
    subs = [Subscriber() for _ in range(subscribers)]
    opener = open_sse if mode == "sse" else open_ws
    gate = asyncio.Semaphore(100)

    async def connect(sub):
        async with gate:
            sub.reader, sub.writer = await opener(token)

    await asyncio.gather(*(connect(s) for s in subs))
    pumps = [asyncio.create_task(pump(s, events)) for s in subs]
    loop = asyncio.get_running_loop()
    began = time.perf_counter()
    inflight = asyncio.Semaphore(8)
    posted_at = []

    async def post(n):
        async with inflight:
            await loop.run_in_executor(None, post_thread, token, n)
            posted_at.append(time.perf_counter())

    await asyncio.gather(*(post(n) for n in range(events)))
    posted = max(posted_at) - began
    deadline = time.perf_counter() + 120
    while any(s.done_at is None for s in subs) and time.perf_counter() < deadline:
        await asyncio.sleep(0.005)
    missing = sum(max(0, events - s.count) for s in subs)
    for p in pumps:
        p.cancel()
    for s in subs:
        s.writer.close()
    await asyncio.sleep(0.5)  # the server sees the closes before the next round opens
    if missing:
        raise SystemExit(f"{mode}: {missing} events not delivered within 120 s")
    last = max(s.done_at for s in subs) - began
    return subscribers * events / last, last, posted


async def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (16384, 16384))
    token = ws_bench.login(port)
    rates = {"sse": [], "ws": []}
    for r in range(rounds + 1):  # round 0 warms both paths up and is not counted
        for mode in ("sse", "ws"):
            rate, last, posted = await one_round(mode, token)
            if r > 0:
                rates[mode].append(rate)
            print(f"  round {r} {mode:3s}: {rate:10,.0f} events/s delivered "
                  f"({subscribers} x {events} in {last * 1000:.0f} ms; POSTs done at "
                  f"{posted * 1000:.0f} ms)", flush=True)
    sse, ws = statistics.median(rates["sse"]), statistics.median(rates["ws"])
    print(f"median: SSE {sse:,.0f}/s, WebSocket {ws:,.0f}/s; SSE / WebSocket = {sse / ws:.2f}")


asyncio.run(main())
