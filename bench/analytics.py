"""Analytics figures: the dashboard and CSV on a year of data for 1,000 episodes, and ingest rates.

    DATABASE_URL=postgres://…/podcast_bench .venv/bin/python bench/analytics.py [--events 50000]

Uses the benchmark's database (its 1,000 synthetic episodes, loaded when missing) and fills the
analytics tables with a year of daily figures by SQL (per episode, per app and device category),
two days of raw downloads and feed polls; then times the admin pages and `manage.py downloads
--csv` in-process (median of 5), and the buffer: events pushed per second on the request side,
and events per second a flush stores into PostgreSQL (classification included).
"""

import argparse
import io
import json
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import bench as common  # noqa: E402

RESULTS = ROOT / "bench" / "results"
APPS = ("Apple Podcasts", "Spotify", "Overcast", "Pocket Casts", "Castro")
CATEGORIES = ("mobile", "computer", "smart_speaker")


def fill(show_id: int) -> dict[str, int]:
    """A year of rollups for every episode from its publication day, by SQL (seconds, not hours)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("dailybreakdown", "dailydownloads", "download", "feedpoll"):
            cursor.execute(f"TRUNCATE analytics_{table}")
        cursor.execute(
            """
            INSERT INTO analytics_dailydownloads (day, show_id, episode_id, age, downloads)
            SELECT d::date, e.show_id, e.id, d::date - (e.pub_date AT TIME ZONE 'UTC')::date,
                   1 + (e.id * 7 + extract(doy FROM d)::int) %% 40
            FROM episodes_episode e,
                 generate_series(current_date - 365, current_date - 1, interval '1 day') d
            WHERE e.show_id = %s AND (e.pub_date AT TIME ZONE 'UTC')::date <= d::date
            """,
            [show_id],
        )
        cursor.execute(
            """
            INSERT INTO analytics_dailydownloads (day, show_id, episode_id, age, downloads)
            SELECT day, show_id, NULL, NULL, sum(downloads) FROM analytics_dailydownloads
            GROUP BY day, show_id
            """
        )
        for dimension, values in (("app", APPS), ("device_category", CATEGORIES)):
            for index, value in enumerate(values):
                cursor.execute(
                    """
                    INSERT INTO analytics_dailybreakdown
                        (day, show_id, episode_id, dimension, value, downloads)
                    SELECT day, show_id, episode_id, %s, %s, greatest(downloads / (%s + 2), 1)
                    FROM analytics_dailydownloads
                    """,
                    [dimension, value, index],
                )
        cursor.execute(
            """
            INSERT INTO analytics_download
                (day, time, show_id, episode_id, listener, agent_kind, app, device,
                 device_category, referrer)
            SELECT t::date, t, e.show_id, e.id, md5(n::text), 'app', 'Overcast', 'Apple iPhone',
                   'mobile', ''
            FROM generate_series(1, 20000) n
            JOIN episodes_episode e ON e.id = (
                SELECT min(id) FROM episodes_episode) + n % 1000
            CROSS JOIN LATERAL (SELECT now() - (n * interval '8 seconds') AS t) moment
            """
        )
        cursor.execute(
            """
            INSERT INTO analytics_feedpoll
                (day, show_id, poller, agent_kind, app, subscribers, time)
            SELECT (now() - interval '1 day')::date, %s, md5(n::text), 'app', 'Podcasts', NULL,
                   now()
            FROM generate_series(1, 2000) n
            """,
            [show_id],
        )
        cursor.execute("ANALYZE")
        counts = {}
        for table in ("dailydownloads", "dailybreakdown", "download", "feedpoll"):
            cursor.execute(f"SELECT count(*) FROM analytics_{table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def timed(function, runs: int = 5) -> tuple[float, int]:
    """Median seconds of `runs` calls, and the queries of the last one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            function()
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), len(queries)


def measure_pages(show, episode) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    def csv(*args):
        lines = []

        def run():
            out = io.StringIO()
            call_command("downloads", "--csv", *args, stdout=out)
            lines[:] = [out.getvalue().count("\n") - 1]

        return run, lines

    results = {}
    for name, url in (
        ("dashboard: show", reverse("admin:analytics_show", args=[show.slug])),
        ("dashboard: episode", reverse("admin:analytics_episode", args=[episode.pk])),
        ("dashboard: overview", reverse("admin:analytics_dailydownloads_changelist")),
    ):
        seconds, queries = timed(page(url))
        results[name] = {"seconds": seconds, "queries": queries}
    for name, args in (
        ("downloads --csv (a year)", ()),
        ("downloads --csv --days 30", ("--days", "30")),
    ):
        run, lines = csv(*args)
        seconds, queries = timed(run, runs=3)
        results[name] = {"seconds": seconds, "queries": queries, "rows": lines[0]}
    return results


def measure_ingest(show, events: int) -> dict:
    """Push `events` distinct downloads into the buffer, then flush them into PostgreSQL."""
    from analytics import buffer, store
    from analytics.models import Download
    from episodes.models import Episode

    client = buffer.redis_client()
    for key in client.scan_iter(match="analytics:*"):
        client.delete(key)
    ids = list(Episode.objects.filter(show=show).values_list("pk", flat=True))
    agents = [
        entry["examples"][0]
        for entry in json.loads((ROOT / "analytics/opawg/apps.json").read_text())["entries"]
        if entry.get("examples")
    ][:300]
    now = datetime.now(UTC).timestamp()
    run = secrets.randbits(64)  # listeners of their own: rows of an earlier run do not collide
    before = Download.objects.count()
    started = time.perf_counter()
    for n in range(events):
        buffer.push(
            [
                "d",
                now - n * 0.01,
                ids[n % len(ids)],
                f"{run:016x}{n:016x}",
                agents[n % len(agents)],
                "",
            ]
        )
    push_seconds = time.perf_counter() - started
    started = time.perf_counter()
    days = store.flush()
    flush_seconds = time.perf_counter() - started
    started = time.perf_counter()
    store.rollup(days)
    rollup_seconds = time.perf_counter() - started
    stored = Download.objects.count() - before
    return {
        "events": events,
        "stored": stored,
        "push_per_second": events / push_seconds,
        "flush_per_second": events / flush_seconds,
        "rollup_seconds": rollup_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the analytics rows of the previous run"
    )
    args = parser.parse_args()
    workdir = Path(os.environ.get("TMPDIR", "/tmp")) / "podcast-bench-analytics"
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    common.configure_environment(workdir, 8500, redis_url)
    common.ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    common.load_data(1_000)
    common.publish_newest(1_000)
    from episodes.models import Episode, Show

    show = Show.objects.get(slug=common.SHOW_SLUG)
    episode = Episode.objects.filter(show=show).order_by("pub_date").first()
    started = time.perf_counter()
    from analytics.models import DailyDownloads

    if args.keep and DailyDownloads.objects.exists():
        counts = {"dailydownloads": DailyDownloads.objects.count()}
    else:
        counts = fill(show.pk)
    fill_seconds = time.perf_counter() - started
    pages = measure_pages(show, episode)
    ingest = measure_ingest(show, args.events)

    lines = [
        f"Analytics benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · PostgreSQL · "
        f"{os.cpu_count()} CPUs, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}",
        "Data: "
        + ", ".join(f"{n:,} {table} rows" for table, n in counts.items())
        + f" (filled in {fill_seconds:.0f} s)",
        "",
    ]
    for name, figures in pages.items():
        rows = f", {figures['rows']:,} rows" if "rows" in figures else ""
        lines.append(
            f"{name:<28} {figures['seconds'] * 1000:8.1f} ms  {figures['queries']:3d} queries{rows}"
        )
    lines += [
        "",
        f"buffer push (request side, one thread): {ingest['push_per_second']:,.0f} events/s",
        f"flush into PostgreSQL (classify + insert): {ingest['flush_per_second']:,.0f} events/s "
        f"({ingest['events']:,} events, {ingest['stored']:,} stored)",
        f"rollup of the touched day(s): {ingest['rollup_seconds']:.2f} s",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}-analytics.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
