"""Gunicorn defaults that fit the machine: `gunicorn -c gunicorn.conf.py podcast.wsgi`.

Every value can be overridden by the environment (GUNICORN_* below, or gunicorn's own
GUNICORN_CMD_ARGS), so one file serves a laptop, a 2-core VM and a larger server.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Bind: an explicit GUNICORN_BIND wins; platforms that hand out a port set PORT.
bind = (
    os.environ.get("GUNICORN_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"
)

# Processes from the CPU count (the classic 2 × cores + 1 bounded for small machines), a few
# threads each, so a slow client or a database round trip does not hold a whole process.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)

# A request that takes longer than this is stuck; the worker is replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so slow leaks cannot grow; jitter keeps them from all restarting
# at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Behind a reverse proxy or load balancer: trust X-Forwarded-Proto only from the proxies'
# addresses (comma-separated, "*" for any), so gunicorn sets the https scheme itself and Django's
# request.is_secure() and absolute URLs follow; a client cannot forge it from elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Load the app once in the master: workers share its memory and start fast.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Worker heartbeat files in memory, not on a possibly slow disk.
_shm = "/dev/shm"  # noqa: S108 - a RAM disk for heartbeats, not temporary data
worker_tmp_dir = _shm if os.path.isdir(_shm) else None
