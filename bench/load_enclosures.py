"""Load test of the measured enclosure path: 0 errors, and every download sent is stored once.

    .venv/bin/python bench/load_enclosures.py [--duration 60] [--connections 50]

gunicorn (production settings, 2 workers × 4 threads) over PostgreSQL with the demo's episodes,
the analytics buffer in Redis, one trusted proxy. wrk requests the feed's enclosure URLs for 64 kB
ranges, each request from an address of its own (X-Forwarded-For), so every answered request is a
download. Afterwards gunicorn stops gracefully (in-flight requests finish), `manage.py downloads`
stores the buffer, and the stored downloads must equal the 206 answers in gunicorn's access log.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from load import (
    LUA_RESULT,
    fetch,
    manage,
    prepare_site,
    run_wrk,
    save_report,
    site_env,
    start_gunicorn,
    wait_until_up,
    wrk_figures,
)
from lxml import etree

AGENT = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
LUA = """
local paths = {PATHS}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local counter = 0
function request()
  counter = counter + 1
  local address = string.format("%d.%d.%d.%d", 10 + id, math.floor(counter / 65536) % 256,
                                math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("GET", paths[counter % #paths + 1], {
    ["X-Forwarded-For"] = address, ["User-Agent"] = "AGENT", ["Range"] = "bytes=0-65535"})
end
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8610)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    database = os.environ.get(
        "ENCLOSURE_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/podcast_load_enclosures"
    )
    redis_url = os.environ.get("ENCLOSURE_LOAD_REDIS_URL", "redis://127.0.0.1:6379/5")
    root = Path(tempfile.mkdtemp(prefix="load-enclosures-"))
    base = f"http://127.0.0.1:{args.port}"
    access_log = root / "access.log"
    env = site_env(
        base,
        root,
        DATABASE_URL=database,
        ANALYTICS_ENABLED="1",
        ANALYTICS_REDIS_URL=redis_url,
        ANALYTICS_SPOOL_DIR=str(root / "spool"),
        REDIS_URL="",
        TRUSTED_PROXY_COUNT="1",
        GUNICORN_ACCESS_LOG=str(access_log),
    )
    buffer = redis.Redis.from_url(redis_url, socket_connect_timeout=3)
    for key in buffer.scan_iter(match="analytics:*"):
        buffer.delete(key)
    server = None
    try:
        print(f"Preparing {database} (migrate, demo) ...", flush=True)
        prepare_site(env, database)
        server = start_gunicorn(env, args.port, args.workers, "--graceful-timeout", "30")
        wait_until_up(server, base)
        feed = etree.fromstring(fetch(base + "/shipping-ml/feed.xml"))
        paths = [urlsplit(url).path for url in feed.xpath("//item/enclosure/@url")]
        if not paths or not all(p.startswith("/listen/") for p in paths):
            sys.exit(f"The feed's enclosures are not measured: {paths[:3]}")
        lua = root / "enclosures.lua"
        quoted = "{" + ", ".join(f'"{p}"' for p in paths) + "}"
        script = LUA.replace("{PATHS}", quoted).replace("AGENT", AGENT) + LUA_RESULT
        lua.write_text(script)
        print(
            f"wrk: {args.duration} s x {args.connections} connections over {len(paths)} "
            f"enclosures, {args.workers} gunicorn workers",
            flush=True,
        )
        run = run_wrk(args, lua, base)
    finally:
        if server is not None:
            server.terminate()  # graceful: requests in flight finish and are logged
            server.wait(timeout=60)

    figures, rps, errors = wrk_figures(run)
    log = access_log.read_text()
    served = len(re.findall(r'"GET /listen/\S+ HTTP/1\.[01]" 206 ', log))
    started = time.perf_counter()
    out = manage(env, "downloads", "--csv")
    flush_seconds = time.perf_counter() - started
    stored = sum(int(line.rsplit(",", 1)[1]) for line in out.splitlines()[1:])
    with psycopg.connect(database, connect_timeout=5) as connection:
        raw = connection.execute("SELECT count(*) FROM analytics_download").fetchone()[0]
    lines = [
        f"enclosure load test {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {args.duration} s x "
        f"{args.connections} connections, gunicorn {args.workers} workers x 4 threads, "
        "PostgreSQL, Redis buffer",
        f"requests answered to wrk {figures['requests']} ({rps}/s)  p50 {figures['p50']} ms  "
        f"p99 {figures['p99']} ms  errors {errors}",
        f"206 answers in gunicorn's access log {served}; downloads stored {stored} "
        f"({raw} raw rows); flush and CSV took {flush_seconds:.1f} s",
        f"stored = sent: {'yes' if stored == served == raw else 'NO'}",
    ]
    report = "\n".join(lines)
    print(report)
    shutil.rmtree(root, ignore_errors=True)
    save_report("load-enclosures", report)
    return 0 if errors == 0 and stored == served == raw else 1


if __name__ == "__main__":
    sys.exit(main())
