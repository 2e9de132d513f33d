"""The benchmark behind `./run bench`: one table of ratios to static files served in the same run.

Steps: create and migrate the PostgreSQL database, load synthetic episodes (kept between runs when
already there), collect static files into a temporary STATIC_ROOT, measure each case's response
size in-process and collect again with one baseline file per size (a case's baseline is a static
file of its own response size; a body-less answer such as the 304 gets a tiny file), start gunicorn
with gunicorn.conf.py and production settings, drive each baseline and each URL with wrk, count
queries per URL in-process, and build the feed cold in separate processes at 1,000 and 10,000
episodes for time and peak memory. Everything started here is stopped here.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHOW_SLUG = "bench"
DATA_VERSION = "bench-data-2"  # 2: show notes stored rendered
GUESTS, TAGS = 300, 60
PROBE_SIZES = (1_000, 10_000)
TINY_BASELINE = 16  # bytes of the baseline for an answer without a body (the feed's 304)
CROWD = 20  # podcast apps polling at once right after an edit


def configure_environment(workdir: Path, port: int, redis_url: str) -> None:
    """Production settings, shared by this process, gunicorn and the probe processes."""
    os.environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "FEED_SNAPSHOT_ROOT": str(workdir / "feeds"),
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": "bench",
            "DJANGO_SETTINGS_MODULE": "podcast.settings",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(ROOT))


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        sys.exit(
            f"The benchmark overwrites its database; use a name containing 'bench', not {name!r}."
        )
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            print(f"Creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- data ---------------------------------------------------------------------------------------

NOTES = """We talk about **{topic}** and what it means for people who build things.

- 00:00 Welcome and introductions
- 05:00 How {guest} got started with {topic}
- 15:00 The hard parts nobody mentions
- 25:00 Listener questions

Links from the episode:

- [The paper we discussed](https://example.org/papers/{n})
- [{guest}'s website](https://example.org/people/{n})

> A quote that stayed with us: “Make it work, make it right, make it fast.”

Thanks to everyone who sent questions. Episode {n} was recorded remotely and edited by the team.
"""


def load_data(total: int) -> None:
    """`total` episodes for the bench show, each with 3 guests, 3 tags, 3 links and 4 chapters."""
    from django.db import connection
    from django.db.models import Q

    from episodes.feed.freshness import touch_shows
    from episodes.models import (
        Appearance,
        Chapter,
        Episode,
        Platform,
        PlatformLink,
        Show,
        ShowLink,
        Tag,
    )
    from guests.models import Guest, GuestLink
    from podcast.markdown import render

    marker = f"{DATA_VERSION} total={total}"
    show = Show.objects.filter(slug=SHOW_SLUG).first()
    complete = show and show.subtitle == marker and Show.objects.count() == 1
    if complete and Appearance.objects.filter(episode__show=show).count() == 3 * total:
        return
    started = time.perf_counter()
    print(f"Loading {total:,} episodes", flush=True)
    models = [Chapter, PlatformLink, Appearance, Episode.tags.through, Episode, Show.hosts.through]
    models += [ShowLink, Show, Tag, GuestLink, Guest]
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")

    show = Show.objects.create(
        slug=SHOW_SLUG,
        title="The Bench Show",
        subtitle=marker,
        description="Conversations about building software, recorded for the benchmark.",
        author="Ada Host",
        owner_name="Ada Host",
        owner_email="ada@example.com",
        copyright="© 2026 Ada Host",
        website="https://example.org",
        funding_url="https://example.org/support",
    )
    ShowLink.objects.create(show=show, platform=Platform.APPLE, url="https://podcasts.apple.com/x")
    guests = Guest.objects.bulk_create(
        Guest(
            name=f"Guest Person {n}",
            slug=f"guest-{n}",
            title="Researcher",
            organisation=f"Lab {n % 17}",
            bio="Works on things.",
            bio_html="<p>Works on things.</p>",
        )
        for n in range(GUESTS)
    )
    host = Guest.objects.create(name="Ada Host", slug="ada-host", title="Host")
    show.hosts.add(host)
    tags = Tag.objects.bulk_create(Tag(name=f"topic {n}", slug=f"topic-{n}") for n in range(TAGS))

    now = datetime.now(UTC).replace(microsecond=0)
    batch = 2_000
    for start in range(0, total, batch):
        numbers = range(start, min(start + batch, total))
        episodes = Episode.objects.bulk_create(
            Episode(
                show=show,
                title=f"Building things, part {n + 1}",
                slug=f"episode-{n + 1}",
                summary=f"Episode {n + 1}: a conversation about building software that lasts. " * 3,
                show_notes=(
                    notes := NOTES.format(topic=f"topic {n % TAGS}", guest=f"Guest {n}", n=n)
                ),
                # bulk_create skips save(), which renders: render here as a save would.
                show_notes_html=str(render(notes)),
                status=Episode.Status.PUBLISHED,
                pub_date=now - timedelta(hours=12 * (total - n)),
                episode_number=n + 1,
                season_number=n // 100 + 1,
                audio_url=f"https://cdn.example.org/bench/episode-{n + 1}.mp3",
                audio_size=30_000_000 + n,
                audio_mime_type="audio/mpeg",
                audio_bitrate=128,
                duration=1_800 + n % 900,
            )
            for n in numbers
        )
        Appearance.objects.bulk_create(
            Appearance(episode=e, guest=guests[(i * 3 + k) % GUESTS], order=k)
            for i, e in zip(numbers, episodes, strict=True)
            for k in range(3)
        )
        Episode.tags.through.objects.bulk_create(
            Episode.tags.through(episode=e, tag=tags[(i + k * 7) % TAGS])
            for i, e in zip(numbers, episodes, strict=True)
            for k in range(3)
        )
        PlatformLink.objects.bulk_create(
            PlatformLink(episode=e, platform=p, url=f"https://{p}.example.com/e/{e.pk}")
            for e in episodes
            for p in (Platform.APPLE, Platform.SPOTIFY, Platform.YOUTUBE)
        )
        Chapter.objects.bulk_create(
            Chapter(episode=e, start_time=t, title=title)
            for e in episodes
            for t, title in (
                (0, "Welcome"),
                (300, "Getting started"),
                (900, "Hard parts"),
                (1500, "Questions"),
            )
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # bulk_create sends no signals: stamp the show so ETags and cache keys see the new data.
    touch_shows(Q(pk=show.pk))
    print(f"Loaded in {time.perf_counter() - started:.1f} s", flush=True)


def vacuum(*models) -> None:
    """VACUUM ANALYZE tables the bench has just rewritten in bulk. On a production server
    autovacuum sees to that (on some, as on this shared one, it is off); left undone, the builds
    below read dead rows and plan from stale statistics, which also hands their queries to
    PostgreSQL's JIT compiler."""
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def publish_newest(count: int) -> None:
    """Only the newest `count` episodes are public (the rest become drafts): one UPDATE."""
    from django.db.models import Q

    from episodes.feed.freshness import touch_shows
    from episodes.models import Episode, Show

    show = Show.objects.get(slug=SHOW_SLUG)
    episodes = Episode.objects.filter(show=show)
    newest = episodes.order_by("-episode_number").values("pk")[:count]
    episodes.filter(pk__in=newest).exclude(status=Episode.Status.PUBLISHED).update(
        status=Episode.Status.PUBLISHED
    )
    episodes.exclude(pk__in=newest).exclude(status=Episode.Status.DRAFT).update(
        status=Episode.Status.DRAFT
    )
    touch_shows(Q(pk=show.pk))
    vacuum(Episode)


def write_audio(media_root: Path) -> tuple[str, str]:
    """A real MP3 of about 3 MB for the range request, attached to the newest episode.

    Its URL twice: the file's own (untracked) and the measured enclosure path (analytics).
    """
    from django.db.models import Q

    from episodes.feed.freshness import stale_items
    from episodes.models import Episode
    from podcast.generate import tone_mp3

    name = f"shows/{SHOW_SLUG}/audio/bench-tone.mp3"
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    # Whole MP3 streams concatenated are still a valid MP3 (frames follow frames).
    path.write_bytes(tone_mp3(seconds=20, bitrate_kbps=128) * 10)
    newest = Episode.objects.published().filter(show__slug=SHOW_SLUG).newest_first().first()
    Episode.objects.filter(pk=newest.pk).update(
        audio_file=name, audio_url="", audio_size=path.stat().st_size
    )
    stale_items(Q(pk=newest.pk))  # an update() sends no signals
    from podcast.enclosures import audio_url

    newest.refresh_from_db()
    return "/media/" + name, audio_url(newest)


# --- URLs and queries ---------------------------------------------------------------------------


def find_search_url() -> str:
    from django.urls import NoReverseMatch, reverse

    for name in ("search", "episodes:search", "search:search", "site:search"):
        try:
            return reverse(name) + "?q=topic+7"
        except NoReverseMatch:
            continue
    return "/search/?q=topic+7"


def site_urls() -> dict[str, str]:
    from episodes.models import Episode

    episode = Episode.objects.published().filter(show__slug=SHOW_SLUG).newest_first()[5]
    return {
        "feed": f"/{SHOW_SLUG}/feed.xml",
        "home": "/",
        "list": f"/{SHOW_SLUG}/episodes/?page=3",
        "episode": episode.get_absolute_url(),
        "search": find_search_url(),
    }


def count_queries(path: str, headers: dict[str, str] | None = None) -> tuple[int, int, int]:
    """(status, queries with an empty cache, queries with a warm cache) through the test client."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from episodes.feed.serve import forget_process_copies

    client = Client(headers=headers or {})
    cache.clear()
    forget_process_copies()
    (Path(os.environ["FEED_SNAPSHOT_ROOT"]) / f"{SHOW_SLUG}.feed").unlink(missing_ok=True)
    with CaptureQueriesContext(connection) as cold:
        response = client.get(path)
    with CaptureQueriesContext(connection) as warm:
        client.get(path)
    return response.status_code, len(cold), len(warm)


def response_bytes(path: str, headers: dict[str, str] | None = None) -> int:
    """Body size of one answer through the test client: the size of the case's baseline file."""
    from django.test import Client

    response = Client(headers=headers or {}).get(path)
    return len(b"".join(response) if response.streaming else response.content)


def write_baseline(directory: Path, size: int) -> str:
    """A static file of exactly `size` bytes under bench/; its URL path."""
    name = f"bench/baseline-{size}.txt"
    (directory / name).parent.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(os.urandom(size // 2 + 1).hex()[:size].encode())
    return "/static/" + name


def feed_etag(path: str) -> str:
    from django.test import Client

    return Client().get(path).headers.get("ETag", "")


# --- the cold feed build, in a process of its own -----------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, unlike ru_maxrss, does not inherit the
    high-water mark of the process that started it."""
    import resource

    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe_feed(path: str, mode: str) -> dict:
    """Build the feed once with nothing kept and an empty cache; report time, or peak memory.

    Mode "edit": build and keep everything first, edit one episode, then time the next request.
    """
    import tracemalloc

    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from episodes.models import Episode, FeedItem

    client = Client()
    client.get("/healthz")  # imports, URLconf and the database connection are not the feed's cost
    # Nothing kept, nothing cached, no copy on disk.
    FeedItem.objects.filter(episode__show__slug=SHOW_SLUG).delete()
    vacuum(FeedItem)  # an empty table, as a new install has
    cache.clear()
    (Path(os.environ["FEED_SNAPSHOT_ROOT"]) / f"{SHOW_SLUG}.feed").unlink(missing_ok=True)
    if mode == "edit":
        client.get(path)
        episode = Episode.objects.published().filter(show__slug=SHOW_SLUG).newest_first()[3]
        episode.title = f"Building things, edited at {time.time():.0f}"
        episode.save()
    rss_before = peak_rss_mb()
    if mode == "memory":
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(path)
    body = b"".join(response) if response.streaming else response.content
    seconds = time.perf_counter() - started
    result = {"status": response.status_code, "bytes": len(body), "seconds": seconds}
    if mode == "memory":
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    result["maxrss_mb"] = peak_rss_mb()
    result["rss_growth_mb"] = result["maxrss_mb"] - rss_before
    return result


def run_probe(path: str, mode: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--probe", path, "--probe-mode", mode],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if output.returncode != 0:
        return {"error": output.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(output.stdout.strip().splitlines()[-1])


def feed_build(path: str) -> dict:
    """Time and process peak from a plain run; Python's traced peak from a tracemalloc run; the
    next request's time after one edit, with everything else kept."""
    timed = run_probe(path, "time")
    traced = run_probe(path, "memory")
    edited = run_probe(path, "edit")
    for result in (timed, traced, edited):
        if "error" in result:
            return result
    return {**timed, "traced_peak_mb": traced["traced_peak_mb"], "edit_seconds": edited["seconds"]}


# --- a crowd of pollers right after an edit, against gunicorn ----------------------------------


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (gunicorn's master and workers)."""
    pids, total = [pid], 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pids += [int(child) for child in children]
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def crowd_after_edit(base: str, path: str, server_pid: int, count: int = 20) -> dict:
    """Edit one episode, then `count` polls at once: statuses, slowest answer, builds, memory."""
    import threading

    from episodes.feed.serve import builds
    from episodes.models import Episode, Show

    show = Show.objects.get(slug=SHOW_SLUG)
    for _ in range(3 * count):  # every worker holds the current copy, as in steady polling
        fetch(base + path, {})
    rss_before = tree_rss_mb(server_pid)
    builds_before = builds(show.pk)
    episode = Episode.objects.published().filter(show=show).newest_first()[2]
    episode.title = f"Building things, edited at {time.time():.0f}"
    episode.save()
    start = threading.Barrier(count)
    answers: list[tuple[int, float]] = [(0, 0.0)] * count

    def poll(n: int) -> None:
        start.wait(timeout=30)
        started = time.perf_counter()
        status, _ = fetch(base + path, {})
        answers[n] = (status, time.perf_counter() - started)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return {
        "count": count,
        "statuses": sorted({status for status, _ in answers}),
        "slowest_s": max(seconds for _, seconds in answers),
        "builds": builds(show.pk) - builds_before,
        "rss_growth_mb": tree_rss_mb(server_pid) - rss_before,
        "edited": episode.title,
    }


# --- gunicorn and wrk ---------------------------------------------------------------------------


def start_gunicorn(port: int, workdir: Path) -> subprocess.Popen:
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "podcast.wsgi"],
        cwd=ROOT,
        env={**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "GUNICORN_BIND": ""},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited:\n" + (workdir / "gunicorn.log").read_text())
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    stop(process)
    sys.exit("gunicorn did not answer within 60 s:\n" + (workdir / "gunicorn.log").read_text())


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict[str, str]) -> tuple[int, int]:
    """(status, body bytes) of one request, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, headers: dict[str, str], args: argparse.Namespace) -> dict:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    command += ["--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=args.duration + 60, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "bad_responses": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0
    bytes: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    ratio: float = 0.0
    baseline_bytes: int = 0
    baseline_rps: float = 0.0
    queries_cold: int | None = None
    queries_warm: int | None = None
    note: str = ""


def format_table(rows: list[Row], probes: dict, meta: dict) -> str:
    lines = [
        f"Benchmark {meta['when']} · {meta['episodes']:,} episodes · PostgreSQL + Redis · "
        f"gunicorn ({meta['workers']} workers × {meta['threads']} threads) · "
        f"wrk -t{meta['wrk_threads']} -c{meta['connections']} -d{meta['duration']}s · "
        f"{meta['cpus']} CPUs, load {meta['load']}",
        "",
        f"{'case':<20}{'status':>7}{'bytes':>11}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'base bytes':>12}{'base req/s':>12}{'ratio':>7}{'queries':>9}  note",
    ]
    for row in rows:
        queries = "" if row.queries_cold is None else f"{row.queries_cold}/{row.queries_warm}"
        lines.append(
            f"{row.name:<20}{row.status:>7}{row.bytes:>11,}{row.rps:>10.1f}{row.p50_ms:>9.1f}"
            f"{row.p99_ms:>9.1f}{row.baseline_bytes:>12,}{row.baseline_rps:>12.1f}"
            f"{row.ratio:>7.2f}{queries:>9}  {row.note}"
        )
    lines += [
        "",
        "base = a static file of the case's own response size served by whitenoise in this run "
        f"({TINY_BASELINE} bytes for a body-less answer such as the 304); ratio = req/s ÷ base "
        "req/s; queries = empty cache / warm cache",
        "",
    ]
    lines.append("Feed builds (own process, nothing kept, empty cache; then one edit):")
    for size, probe in probes.items():
        if "error" in probe:
            lines.append(f"  {size}: failed: {probe['error']}")
            continue
        if size == "django-cast":
            lines.append(
                f"  django-cast 0.2.67, 1,000 episodes: status {probe['status']}, "
                f"{probe['bytes']:,} bytes, cold {probe['seconds']:.2f} s, "
                f"{probe['queries']} queries"
            )
            continue
        lines.append(
            f"  {size:>6,} episodes: status {probe['status']}, {probe['bytes']:,} bytes, "
            f"cold {probe['seconds']:.2f} s, traced peak {probe['traced_peak_mb']:.1f} MB, "
            f"process peak RSS {probe['maxrss_mb']:.0f} MB (+{probe['rss_growth_mb']:.0f} MB "
            f"for the build); after one edit {probe['edit_seconds']:.2f} s, "
            f"{probe['queries']} queries"
        )
    crowd = meta["crowd"]
    lines.append(
        f"{crowd['count']} concurrent polls right after an edit (gunicorn): statuses "
        f"{crowd['statuses']}, slowest {crowd['slowest_s']:.2f} s, {crowd['builds']} build(s), "
        f"server memory {crowd['rss_growth_mb']:+.0f} MB"
    )
    targets = meta["targets"]
    lines += ["", "Targets: " + "; ".join(targets)]
    return "\n".join(lines)


def check_targets(rows: list[Row], probes: dict, crowd: dict) -> list[str]:
    by_name = {row.name: row for row in rows}
    wanted = [
        ("feed 304", 0.5),
        ("feed 200", 0.5),
        ("home page", 0.15),
        ("search", 0.15),
        ("episode list page", 0.15),
        ("episode page", 0.15),
    ]
    verdicts = []
    for name, target in wanted:
        row = by_name[name]
        ok = row.ratio >= target and row.status in (200, 304)
        verdicts.append(f"{name} ≥ {target}: {'met' if ok else 'NOT met'} ({row.ratio:.2f})")

    def verdict(text: str, ok: bool, figure: str) -> None:
        verdicts.append(f"{text}: {'met' if ok else 'NOT met'} ({figure})")

    measured, untracked = by_name["audio measured"], by_name["audio 1 MB range"]
    ratio = measured.rps / untracked.rps if untracked.rps else 0.0
    verdict(
        "measured audio ≥ 0.8 × untracked", ratio >= 0.8 and measured.status == 206, f"{ratio:.2f}"
    )
    small, big = probes.get(1_000, {}), probes.get(10_000, {})
    cast = probes.get("django-cast", {})
    if "seconds" in small:
        verdict(
            "1,000-episode cold build ≤ 0.3 s", small["seconds"] <= 0.3, f"{small['seconds']:.2f} s"
        )
    if "seconds" in small and "seconds" in cast:
        times = cast["seconds"] / small["seconds"]
        verdict("… ≥ 5× faster than django-cast in this run", times >= 5, f"{times:.1f}×")
    if "seconds" in big:
        verdict("10,000-episode cold build ≤ 3 s", big["seconds"] <= 3, f"{big['seconds']:.2f} s")
        verdict(
            "its own peak < 150 MB",
            big["traced_peak_mb"] < 150,
            f"{big['traced_peak_mb']:.0f} MB traced, +{big['rss_growth_mb']:.0f} MB RSS",
        )
        verdict(
            "10,000 episodes, next response after one edit ≤ 0.5 s",
            big["edit_seconds"] <= 0.5,
            f"{big['edit_seconds']:.2f} s",
        )
    verdict(
        f"{crowd['count']} polls after an edit: all 200, slowest ≤ 2 s, one build, < 300 MB",
        crowd["statuses"] == [200]
        and crowd["slowest_s"] <= 2
        and crowd["builds"] == 1
        and crowd["rss_growth_mb"] < 300,
        f"{crowd['slowest_s']:.2f} s, {crowd['builds']} build(s), {crowd['rss_growth_mb']:+.0f} MB",
    )
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8500")))
    parser.add_argument("--skip-probes", action="store_true", help="no cold feed builds")
    parser.add_argument("--django-cast", type=Path, help="a django-cast project to compare with")
    parser.add_argument("--django-cast-python", default="/tmp/castvenv/bin/python")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--probe-mode", default="time", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.probe:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(probe_feed(args.probe, args.probe_mode)))
        return

    workdir = Path(tempfile.mkdtemp(prefix="podcast-bench-"))
    (workdir / "static").mkdir()
    process = None
    try:
        configure_environment(
            workdir, args.port, os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
        )
        ensure_database(os.environ["DATABASE_URL"])
        import django

        django.setup()
        from django.conf import settings
        from django.contrib.staticfiles import finders
        from django.core.cache import cache
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        cache.clear()  # our own Redis database only (BENCH_REDIS_URL)
        sizes = sorted({args.episodes, *(() if args.skip_probes else PROBE_SIZES)})
        load_data(max(sizes))

        probes: dict[int, dict] = {}
        urls = {"feed": f"/{SHOW_SLUG}/feed.xml"}
        for size in sizes:
            if args.skip_probes and size != args.episodes:
                continue
            if size == args.episodes:
                continue  # measured last, on the data the table is for
            publish_newest(size)
            probes[size] = feed_build(urls["feed"])
            probes[size]["queries"] = count_queries(urls["feed"])[1]
        if args.django_cast:
            from django_cast import cold_build

            print("django-cast's cold feed build", flush=True)
            probes["django-cast"] = cold_build(args.django_cast, args.django_cast_python)
        publish_newest(args.episodes)
        audio_path, measured_path = write_audio(Path(settings.MEDIA_ROOT))
        if not args.skip_probes:
            probes[args.episodes] = feed_build(urls["feed"])
            probes[args.episodes]["queries"] = count_queries(urls["feed"])[1]
            probes = dict(sorted(probes.items(), key=lambda item: str(item[0]).zfill(12)))
        urls = site_urls()
        cache.clear()

        # The pages need the manifest to render: collect once, size the answers, collect again
        # with the baseline files.
        call_command("collectstatic", interactive=False, verbosity=0)
        etag = feed_etag(urls["feed"])
        rows = [
            Row("feed 200", urls["feed"]),
            Row("feed 304", urls["feed"], {"If-None-Match": etag} if etag else {}),
            Row("home page", urls["home"]),
            Row("episode list page", urls["list"]),
            Row("episode page", urls["episode"]),
            Row("search", urls["search"]),
            Row("audio 1 MB range", audio_path, {"Range": "bytes=1048576-2097151"}),
            Row(
                "audio measured",
                measured_path,
                {
                    "Range": "bytes=1048576-2097151",
                    "User-Agent": "Overcast/3.0 (+http://overcast.fm/)",
                },
            ),
        ]
        if not etag:
            rows[1].note = "feed sends no ETag"
        extra = workdir / "extra-static"
        baselines: dict[int, dict] = {}  # size -> {"path", then wrk's numbers}; one per size
        for row in rows:
            row.baseline_bytes = response_bytes(row.path, row.headers) or TINY_BASELINE
            if row.baseline_bytes not in baselines:
                path = write_baseline(extra, row.baseline_bytes)
                baselines[row.baseline_bytes] = {"path": path}
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, extra]
        finders.get_finder.cache_clear()  # the first collectstatic cached the finders' dirs
        call_command("collectstatic", interactive=False, verbosity=0)
        for row in rows:
            if row.path.startswith("/media/"):
                continue
            _, row.queries_cold, row.queries_warm = count_queries(row.path, row.headers)
        cache.clear()

        from django.db import connections

        connections.close_all()
        process = start_gunicorn(args.port, workdir)
        base = f"http://127.0.0.1:{args.port}"
        for row in rows:
            baseline = baselines[row.baseline_bytes]
            if "rps" not in baseline:  # measured just before its first case
                status, size = fetch(base + baseline["path"], {})
                print(f"wrk static baseline ({status}, {size:,} bytes)", flush=True)
                baseline.update(status=status, bytes=size, **wrk(base + baseline["path"], {}, args))
                if status != 200 or size != row.baseline_bytes:
                    sys.exit(f"The baseline {baseline['path']} answered {status}, {size} bytes")
            for _ in range(3):  # warm: worker imports, caches
                row.status, row.bytes = fetch(base + row.path, row.headers)
            print(f"wrk {row.name} ({row.status}, {row.bytes:,} bytes)", flush=True)
            result = wrk(base + row.path, row.headers, args)
            row.rps, row.p50_ms, row.p99_ms = result["rps"], result["p50_ms"], result["p99_ms"]
            if result["bad_responses"]:
                row.note = (row.note + f" {result['bad_responses']} non-2xx/3xx").strip()
            if result["socket_errors"]:
                row.note = (row.note + f" socket errors: {result['socket_errors']}").strip()
            row.baseline_rps = baseline["rps"]
            row.ratio = row.rps / row.baseline_rps if row.baseline_rps else 0.0
        for audio in rows[6:8]:
            if audio.status != 206:
                audio.note = (audio.note + " no range support (expected 206)").strip()
        untracked = rows[6].rps
        rows[7].note = (
            rows[7].note + f" {rows[7].rps / untracked:.2f} × untracked audio" if untracked else ""
        ).strip()
        print(f"{CROWD} concurrent feed polls right after an edit", flush=True)
        crowd = crowd_after_edit(base, urls["feed"], process.pid, CROWD)
        stop(process)
        process = None

        conf: dict = {}
        exec((ROOT / "gunicorn.conf.py").read_text(), conf)  # the numbers gunicorn used
        meta = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "episodes": args.episodes,
            "workers": conf["workers"],
            "threads": conf["threads"],
            "wrk_threads": args.threads,
            "connections": args.connections,
            "duration": args.duration,
            "cpus": os.cpu_count(),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        }
        meta["crowd"] = crowd
        meta["targets"] = check_targets(rows, probes, crowd)
        table = format_table(rows, probes, meta)
        print()
        print(table)
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        (RESULTS / f"{stamp}-{args.episodes}.txt").write_text(table + "\n")
        (RESULTS / f"{stamp}-{args.episodes}.json").write_text(
            json.dumps(
                {
                    "meta": meta,
                    "rows": [asdict(r) for r in rows],
                    "baselines": {str(size): b for size, b in sorted(baselines.items())},
                    "feed_builds": probes,
                },
                indent=2,
            )
        )
        print(f"\nWritten to bench/results/{stamp}-{args.episodes}.txt and .json")
    finally:
        if process is not None:
            stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
