"""Reading and checking media files: audio metadata, artwork rules and image renditions.

One place for it, used by the admin forms, the demo and the importers.
"""

from dataclasses import dataclass
from typing import IO

import mutagen
from django.conf import settings
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4


class MediaError(ValueError):
    """A file we cannot accept; the message is meant for the editor."""


@dataclass(frozen=True)
class AudioInfo:
    duration: int
    bitrate: int | None
    mime_type: str
    size: int
    extension: str


def read_audio(handle: IO[bytes]) -> AudioInfo:
    """Metadata of an MP3 or M4A/AAC file; MediaError for anything else."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    if size == 0:
        raise MediaError("The audio file is empty.")
    try:
        audio = mutagen.File(handle)
    except Exception as exc:  # mutagen raises many kinds of errors on hostile files
        raise MediaError("This file could not be read as MP3 or M4A audio.") from exc
    finally:
        handle.seek(0)
    if isinstance(audio, MP3):
        mime_type, extension = "audio/mpeg", "mp3"
    elif isinstance(audio, MP4):
        mime_type, extension = "audio/x-m4a", "m4a"
    else:
        raise MediaError("Only MP3 and M4A (AAC) audio is accepted.")
    length = getattr(audio.info, "length", 0) or 0
    if length < 1:
        raise MediaError("The audio has no playable length.")
    bitrate = getattr(audio.info, "bitrate", 0) or None
    return AudioInfo(
        duration=round(length),
        bitrate=bitrate // 1000 if bitrate else None,
        mime_type=mime_type,
        size=size,
        extension=extension,
    )


def absolute_url(url: str) -> str:
    """Storage URLs may be paths (local disk) or full URLs (object storage); apps need full ones."""
    if not url or "://" in url:
        return url
    return settings.SITE_URL + url
