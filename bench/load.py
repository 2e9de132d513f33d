"""Load test: wrk against gunicorn over PostgreSQL; 0 errors and stable worker memory, or exit 1."""

import argparse
import math
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

BASE = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# The feed is what podcast apps poll all day: half the requests; the pages share the rest.
LUA = """
local feeds, pages = {FEEDS}, {PAGES}
local n = 0
request = function()
  n = n + 1
  local i = math.floor(n / 2)
  if n % 2 == 0 then return wrk.format("GET", feeds[i % #feeds + 1]) end
  return wrk.format("GET", pages[i % #pages + 1])
end
"""
# Every wrk script ends with this: the RESULT line `wrk_figures` reads.
LUA_RESULT = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d non2xx3xx=%d connect=%d read=%d write=%d timeout=%d p50=%.1f p99=%.1f\\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def rss_mb(pid: int) -> float:
    """Resident memory of a process; NaN once it has gone (a restarted worker)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return math.nan
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def site_env(base: str, root: Path, **extra: str) -> dict:
    """Production settings for a server at `base` keeping its files under `root`, plus `extra`."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": base,
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(root / "static"),
        "MEDIA_ROOT": str(root / "media"),
        "FEED_SNAPSHOT_ROOT": str(root / "feeds"),
        "LOG_LEVEL": "ERROR",
        # Recycling workers would hide a leak, and would cut requests short at the end of a run.
        "GUNICORN_MAX_REQUESTS": "0",
        **extra,
    }


def prepare_site(env: dict, database: str) -> None:
    """A new database holding the demo show, and the static files collected."""
    recreate_database(database)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "demo")


def wait_until_up(server: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            fetch(base + "/healthz")
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("gunicorn did not start")
            time.sleep(0.2)


def start_gunicorn(env: dict, port: int, workers: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "podcast.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", "4", *options],
        cwd=BASE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_wrk(args: argparse.Namespace, script: Path, base: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d",
         f"{args.duration}s", "--timeout", "10s", "--latency", "-s", str(script), base],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def wrk_figures(run: subprocess.CompletedProcess) -> tuple[dict[str, str], str, int]:
    """The figures of the scripts' RESULT line, requests per second, and the errors counted."""
    result = re.search(r"RESULT (.*)", run.stdout)
    if not result:
        sys.exit(f"wrk failed:\n{run.stdout}{run.stderr}")
    figures = dict(item.split("=") for item in result.group(1).split())
    rps = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1)
    errors = sum(int(figures[k]) for k in ("non2xx3xx", "connect", "read", "write", "timeout"))
    return figures, rps, errors


def save_report(name: str, report: str) -> None:
    results = BASE / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{name}-{datetime.now(UTC):%Y%m%d-%H%M%S}.txt").write_text(report + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=60, help="seconds (default 60)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--max-growth-mb", type=float, default=25.0)
    args = parser.parse_args()

    database = os.environ["DATABASE_URL"]
    root = Path(tempfile.mkdtemp(prefix="load-"))
    base = f"http://127.0.0.1:{args.port}"
    env = site_env(base, root)
    server = None
    try:
        print(f"Preparing {database} (migrate, demo) and static files ...", flush=True)
        prepare_site(env, database)
        server = start_gunicorn(
            env, args.port, args.workers, "--worker-class", "gthread", "--timeout", "30"
        )
        wait_until_up(server, base)

        sitemap = fetch(base + "/sitemap.xml").decode()
        pages = [urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", sitemap)]
        pages += ["/search/?q=production", "/shipping-ml/episodes/?page=1"]
        feeds = ["/shipping-ml/feed.xml"]
        for path in pages + feeds * 3:  # warm every page and every worker's feed copy
            fetch(base + path)
        workers = worker_pids(server.pid)
        start = {pid: rss_mb(pid) for pid in workers}

        peak = dict(start)

        def sample(stop: threading.Event) -> None:
            while not stop.wait(2):
                for pid in workers:
                    peak[pid] = max(peak[pid], rss_mb(pid))

        stop = threading.Event()
        sampler = threading.Thread(target=sample, args=(stop,), daemon=True)
        sampler.start()
        lua = root / "mix.lua"
        quoted = lambda paths: "{" + ", ".join(f'"{p}"' for p in paths) + "}"  # noqa: E731
        script = LUA.replace("{FEEDS}", quoted(feeds)).replace("{PAGES}", quoted(pages))
        lua.write_text(script + LUA_RESULT)
        print(
            f"wrk: {args.duration} s x {args.connections} connections, "
            f"{len(pages)} pages + feed, {args.workers} gunicorn workers",
            flush=True,
        )
        run = run_wrk(args, lua, base)
        stop.set()
        sampler.join()
        end = {pid: rss_mb(pid) for pid in workers}
        alive = server.poll() is None and worker_pids(server.pid) == workers
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)

    figures, rps, errors = wrk_figures(run)
    growth = max(end[pid] - start[pid] for pid in workers)  # NaN (a gone worker) fails below
    lines = [
        f"load test {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {args.duration} s x "
        f"{args.connections} connections, gunicorn {args.workers} workers x 4 threads, PostgreSQL",
        f"requests {figures['requests']}  ({rps}/s)  "
        f"p50 {figures['p50']} ms  p99 {figures['p99']} ms",
        f"errors {errors}  (non-2xx/3xx {figures['non2xx3xx']}, connect {figures['connect']}, "
        f"read {figures['read']}, write {figures['write']}, timeout {figures['timeout']})",
        "worker RSS MB (start / peak / end): "
        + ", ".join(f"{start[p]:.1f} / {peak[p]:.1f} / {end[p]:.1f}" for p in workers),
        f"largest growth {growth:+.1f} MB (limit {args.max_growth_mb} MB); "
        f"workers {'unchanged' if alive else 'RESTARTED'}",
    ]
    report = "\n".join(lines)
    print(report)
    save_report("load", report)
    return 0 if errors == 0 and growth <= args.max_growth_mb and alive else 1


if __name__ == "__main__":
    sys.exit(main())
