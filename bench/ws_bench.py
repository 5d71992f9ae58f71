#!/usr/bin/python3
"""The WebSocket benchmark client (Debian's python3-websockets), for bench/websocket.sh.

  ws_bench.py idle PORT PID N       opens N authenticated idle sockets; prints the server's resident
                                    memory before and with them, and the bytes per socket
  ws_bench.py ping PORT RATE SECS   RATE pings per second spread over RATE/20 sockets (20/s each,
                                    the default per-socket rate limit); prints p50 and p99 round
                                    trips in ms
  ws_bench.py echo-server PORT      the baseline: a websockets server answering each ping with a
                                    pong of the same shape as netra's
"""
import asyncio, json, sys, time, urllib.request
import websockets

def login(port):
    base = f"http://127.0.0.1:{port}"
    account = json.dumps({"email": "bench@example.com", "password": "a long enough password"}).encode()
    def post(path):
        req = urllib.request.Request(base + path, account, {"Content-Type": "application/json"})
        try:
            return json.load(urllib.request.urlopen(req, timeout=10))
        except urllib.error.HTTPError as e:
            return json.load(e)
    post("/auth/register")
    return post("/auth/login")["access_token"]

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

async def idle(port, pid, n):
    token = login(port)
    headers = {"Authorization": "Bearer " + token}
    before = rss_kib(pid)
    sockets = []
    sem = asyncio.Semaphore(200)
    async def open_one():
        async with sem:
            ws = await asyncio.wait_for(websockets.connect(
                f"ws://127.0.0.1:{port}/ws", extra_headers=headers, ping_interval=None,
                max_queue=1), 30)
            await asyncio.wait_for(ws.recv(), 30)  # connection_established
            sockets.append(ws)
    await asyncio.gather(*(open_one() for _ in range(n)))
    await asyncio.sleep(2)
    during = rss_kib(pid)
    print(f"{len(sockets)} {before} {during} {(during - before) * 1024 / len(sockets):.0f}")
    await asyncio.gather(*(ws.close() for ws in sockets))

async def ping(port, rate, seconds, token=None):
    per_socket = 20
    count = max(1, rate // per_socket)
    headers = {"Authorization": "Bearer " + token} if token else {}
    rtts = []
    async def one():
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws", extra_headers=headers,
                                      ping_interval=None) as ws:
            if token:
                await asyncio.wait_for(ws.recv(), 10)
            interval = 1.0 / per_socket
            start = time.perf_counter()
            for i in range(int(seconds * per_socket)):
                delay = start + i * interval - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent = time.perf_counter()
                await ws.send('{"type":"ping"}')
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert reply["type"] == "pong", reply
                rtts.append((time.perf_counter() - sent) * 1000)
    await asyncio.gather(*(one() for _ in range(count)))
    rtts.sort()
    print(f"{len(rtts)} {rtts[len(rtts) // 2]:.3f} {rtts[int(len(rtts) * 0.99)]:.3f}")

async def echo_server(port):
    async def handler(ws, path=None):
        async for _ in ws:
            await ws.send(json.dumps({"type": "pong", "server_time": time.time()}))
    async with websockets.serve(handler, "127.0.0.1", port, ping_interval=None):
        await asyncio.Future()

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "idle":
        asyncio.run(idle(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
    elif mode == "ping":
        port = int(sys.argv[2])
        token = login(port) if sys.argv[5:] != ["baseline"] else None
        asyncio.run(ping(port, int(sys.argv[3]), float(sys.argv[4]), token))
    elif mode == "echo-server":
        asyncio.run(echo_server(int(sys.argv[2])))
