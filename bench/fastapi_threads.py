"""The Python stack netra replaces, for bench/chat_threads.sh: GET /api/threads in FastAPI on
asyncpg, as a FastAPI service would write it — an HS256 bearer token checked with PyJWT, the
same SELECT of a page of the caller's threads netra runs (the same SQL, against the same
database), the rows returned as dicts through FastAPI's default encoder. One uvicorn worker.

  BASELINE_JWT_SECRET=... BASELINE_DATABASE_URL=postgres://... \
    /usr/bin/python3 bench/fastapi_threads.py PORT

Debian's python3-fastapi, python3-uvicorn, python3-asyncpg and python3-jwt.
"""
import json
import os
import sys

import asyncpg
import jwt
import uvicorn
from fastapi import FastAPI, Header, HTTPException

SECRET = os.environ["BASELINE_JWT_SECRET"]
DATABASE_URL = os.environ["BASELINE_DATABASE_URL"]
# netra's kPage (src/chat/thread_store.cpp) with its kThreadColumns, word for word.
LIST_PAGE = (
    "SELECT t.id, t.owner_id, t.title, t.metadata, t.created_at, t.updated_at, t.message_count "
    "FROM threads t WHERE t.owner_id = $1 AND t.archived_at IS NULL "
    "ORDER BY t.updated_at DESC, t.id DESC LIMIT $2 OFFSET $3"
)

app = FastAPI()


@app.on_event("startup")
async def open_pool():
    # netra's default pool_max is 10.
    app.state.pool = await asyncpg.create_pool(DATABASE_URL, min_size=10, max_size=10)


@app.get("/api/threads")
async def list_threads(authorization: str = Header(default="")):
    if not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="missing bearer token")
    try:
        claims = jwt.decode(authorization[7:], SECRET, algorithms=["HS256"])
    except jwt.PyJWTError as e:
        raise HTTPException(status_code=401, detail=str(e))
    rows = await app.state.pool.fetch(LIST_PAGE, claims["sub"], 20, 0)
    return [
        {
            "id": r["id"],
            "object": "thread",
            "title": r["title"],
            "created_at": r["created_at"] // 1000,
            "updated_at": r["updated_at"] // 1000,
            "metadata": json.loads(r["metadata"]),
            "message_count": r["message_count"],
        }
        for r in rows
    ]


@app.get("/health/live")
async def live():
    return {"status": "alive"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), workers=1, access_log=False,
                log_level="warning")
