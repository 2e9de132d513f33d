"""django-cast side by side with our feed, in the same benchmark run (optional).

django-cast is a peer project (Wagtail). It is never installed into this project: give the bench a
throwaway virtualenv and a project of its own, made once:

    python3 -m venv /tmp/castvenv
    /tmp/castvenv/bin/pip install django-cast==0.2.67 "psycopg[binary]"
    # a project from its quickstart (cast.quickstart: settings, urls, manage.py, migrate), with
    # DATABASES pointed at PostgreSQL and "django.contrib.postgres" in INSTALLED_APPS
    /tmp/castvenv/bin/python bench/django_cast.py populate /tmp/castproj/castsite 1000

then `./run bench --django-cast /tmp/castproj/castsite` (its python: `--django-cast-python`).
Populating runs under django-cast's python; the bench only starts that python on the project.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SLUG = "bench"
FEED_PATH = f"/cast/{SLUG}/feed/podcast/mp3/rss.xml"  # as its quickstart mounts it

POPULATE = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from cast import devdata
from cast.models import Episode

podcast = devdata.create_podcast()
podcast.slug = "{slug}"
podcast.save()
mp3 = devdata.create_minimal_mp3()
audio = devdata.create_audio(unique_filenames=True, m4a_file=SimpleUploadedFile("a.m4a", mp3))
notes = "We talk about topic {{n}} and what it means for people who build things. " * 6
for i in range({count}):
    text = "<p>" + notes.format(n=i) + "</p>"
    body = json.dumps([
        {{"type": "overview", "value": [{{"type": "paragraph", "value": text}}]}},
        {{"type": "detail", "value": [{{"type": "paragraph", "value": text}}]}},
    ])
    episode = Episode(title=f"Building things, part {{i + 1}}", slug=f"episode-{{i + 1}}",
                      owner=podcast.owner, podcast_audio=audio, body=body, live=True)
    podcast.add_child(instance=episode)
"""

PROBE = """
import json, time
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

settings.DEBUG = False
settings.ALLOWED_HOSTS = ["localhost"]
client = Client(HTTP_HOST="localhost")
client.get("{path}")  # imports and connections are not the build's cost
cache.clear()
with CaptureQueriesContext(connection) as queries:
    started = time.perf_counter()
    response = client.get("{path}")
    body = b"".join(response) if response.streaming else response.content
    seconds = time.perf_counter() - started
print("RESULT " + json.dumps({{"status": response.status_code, "bytes": len(body),
      "seconds": seconds, "queries": len(queries)}}))
"""


def _shell(project: Path, code: str, python: str) -> str:
    # Its own settings, not the ones this benchmark exported for our project.
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    output = subprocess.run(
        [python, str(project / "manage.py"), "shell", "-c", code],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=True,
    )
    return output.stdout


def cold_build(project: Path, python: str) -> dict:
    """django-cast's feed built once with an empty cache, in a process of its own."""
    try:
        out = _shell(project, PROBE.format(path=FEED_PATH), python)
    except subprocess.CalledProcessError as exc:
        return {"error": exc.stderr[-300:]}
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": str(exc)[-300:]}
    line = next((line for line in out.splitlines() if line.startswith("RESULT ")), None)
    return json.loads(line.removeprefix("RESULT ")) if line else {"error": out[-300:]}


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "populate":
        sys.exit("usage: django_cast.py populate PROJECT_DIR EPISODES")
    project = Path(sys.argv[2])
    _shell(project, POPULATE.format(slug=SLUG, count=int(sys.argv[3])), sys.executable)
