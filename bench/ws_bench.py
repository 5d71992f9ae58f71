#!/usr/bin/python3
"""The WebSocket benchmark client (Debian's python3-websockets), for bench/websocket.sh.

  ws_bench.py idle PORT PID N       opens N authenticated idle sockets; prints the server's resident
                                    memory before and with them, and the bytes per socket
  login(PORT)                       (imported) registers the bench account, returns a token

Round trips are measured by bench/ws_rtt (Beast), not here: a Python client was the bottleneck.
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

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "idle":
        asyncio.run(idle(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
