"""Reading and checking media files: audio metadata, artwork rules, renditions and transcripts.

One place for it, used by the admin forms, the demo and the importers. Every check raises
MediaError with a message meant for the editor; callers never see a library's own exception.
"""

import base64
import hashlib
import io
import os
import warnings
from dataclasses import dataclass
from typing import IO

import mutagen
import webvtt
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from mutagen.mp3 import MP3, HeaderNotFoundError, MPEGFrame
from mutagen.mp4 import MP4
from PIL import Image, ImageOps

from podcast import rules
from podcast.text import format_duration


class MediaError(ValueError):
    """A file we cannot accept; the message is meant for the editor."""


@dataclass(frozen=True)
class AudioInfo:
    duration: int
    bitrate: int | None
    mime_type: str
    size: int
    extension: str


def _size(handle: IO[bytes]) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def _checked_size(handle: IO[bytes], limit: int, noun: str) -> int:
    """The file's size, refused when empty or over `limit` bytes."""
    size = _size(handle)
    if size == 0:
        raise MediaError(f"The {noun} file is empty (0 bytes).")
    if size > limit:
        raise MediaError(
            f"The {noun} file is {filesizeformat(size)}; at most {filesizeformat(limit)} "
            "is accepted."
        )
    return size


def _sniff_audio(head: bytes) -> str | None:
    """The container the first bytes announce: an ID3 tag or MPEG frame sync, or an MP4 `ftyp`."""
    if head[4:8] == b"ftyp":
        return "m4a"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _check_mp3_frames(handle: IO[bytes], first_frame: int, size: int) -> None:
    """Walk the MPEG frames: an upload cut short ends inside a frame."""
    # A frame's length follows from its 4-byte header alone, and an hour holds some 100,000
    # frames with a handful of distinct headers: mutagen parses each kind once.
    lengths: dict[bytes, int] = {}
    position = first_frame
    while position < size:
        start = position
        handle.seek(start)
        header = handle.read(4)
        if header not in lengths:
            handle.seek(start)
            try:
                MPEGFrame(handle)
            except HeaderNotFoundError:
                # Tags (ID3v1, APE, Lyrics3) or padding after the audio: the frames ended cleanly.
                return
            lengths[header] = handle.tell() - start
        position = start + lengths[header]
        if position > size:
            raise MediaError(
                "The MP3 file is incomplete: it ends in the middle of the audio "
                f"(at byte {start:,} of {size:,}). Upload the whole file again."
            )


def read_audio(handle: IO[bytes]) -> AudioInfo:
    """Metadata of an MP3 or M4A/AAC file; MediaError for anything else."""
    size = _checked_size(handle, settings.MAX_AUDIO_UPLOAD_BYTES, "audio")
    kind = _sniff_audio(handle.read(12))
    handle.seek(0)
    if kind is None:
        raise MediaError(
            "This is not MP3 or M4A audio (the file's content says otherwise, whatever its name). "
            "Only MP3 and M4A (AAC) audio is accepted."
        )
    try:
        if kind == "mp3":
            audio = MP3(handle)
            _check_mp3_frames(handle, audio.info.frame_offset, size)
        else:
            audio = MP4(handle)
    except MediaError:
        raise
    except Exception as exc:  # mutagen raises many kinds of errors on hostile files
        raise MediaError(
            f"This file could not be read as {kind.upper()} audio: it is damaged or incomplete."
        ) from exc
    finally:
        handle.seek(0)
    if kind == "m4a" and not str(getattr(audio.info, "codec", "")).startswith("mp4a"):
        raise MediaError("This M4A file holds no AAC audio; export it as AAC or MP3.")
    length = getattr(audio.info, "length", 0) or 0
    if length < 1:
        raise MediaError("The audio has no playable length (under one second).")
    bitrate = getattr(audio.info, "bitrate", 0) or None
    return AudioInfo(
        duration=round(length),
        bitrate=bitrate // 1000 if bitrate else None,
        mime_type=rules.AUDIO_TYPES[f".{kind}"],
        size=size,
        extension=kind,
    )


@dataclass(frozen=True)
class RenditionInfo:
    mime_type: str
    codecs: str
    size: int
    bitrate: int | None  # bits per second
    duration: int
    integrity: str  # Subresource Integrity hash, as podcast:integrity takes it
    extension: str


# mutagen's class for each kind of audio a rendition may be: its type, codec and extension.
_RENDITION_KINDS = {
    "MP3": ("audio/mpeg", "mp3", "mp3"),
    "MP4": ("audio/mp4", "mp4a.40.2", "m4a"),
    "OggOpus": ("audio/ogg", "opus", "opus"),
    "OggVorbis": ("audio/ogg", "vorbis", "ogg"),
    "FLAC": ("audio/flac", "flac", "flac"),
}


def read_rendition(handle: IO[bytes]) -> RenditionInfo:
    """Another rendition of an episode (low bitrate MP3, Opus, FLAC…), read by mutagen."""
    size = _checked_size(handle, settings.MAX_AUDIO_UPLOAD_BYTES, "audio")
    head = handle.read(12)
    handle.seek(0)
    try:
        # mutagen's guess needs an ID3 tag or a .mp3 name to take MPEG 2.5 frames (8 kHz, as
        # low-bandwidth renditions are) for MP3; a fetched file has no name.
        audio = MP3(handle) if _sniff_audio(head) == "mp3" else mutagen.File(handle)
    except Exception as exc:  # mutagen raises many kinds of errors on hostile files
        raise MediaError("This file could not be read as audio: it is damaged.") from exc
    finally:
        handle.seek(0)
    kind = _RENDITION_KINDS.get(type(audio).__name__) if audio is not None else None
    if kind is None:
        raise MediaError("This is not MP3, M4A (AAC), Opus, Ogg Vorbis or FLAC audio.")
    length = getattr(audio.info, "length", 0) or 0
    if length < 1:
        raise MediaError("The audio has no playable length (under one second).")
    bitrate = getattr(audio.info, "bitrate", 0) or round(size * 8 / length)
    digest = hashlib.sha384()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    handle.seek(0)
    return RenditionInfo(
        mime_type=kind[0],
        codecs=kind[1],
        size=size,
        bitrate=bitrate,
        duration=round(length),
        integrity="sha384-" + base64.b64encode(digest.digest()).decode(),
        extension=kind[2],
    )


def stored_audio_seconds(stored: FieldFile) -> int | None:
    """How long a stored audio file on local disk plays, from its headers; else None.

    Object storage is not read: opening a file there downloads all of it. Stored names are never
    reused (every upload gets a new one), so the answer is cached for good.
    """
    key = f"audio-seconds:{stored.storage.__class__.__name__}:{stored.name}"
    found = cache.get(key)
    if found is None:
        found = _read_seconds(stored)
        cache.set(key, found, timeout=None)
    return found or None


def _read_seconds(stored: FieldFile) -> int:
    try:
        stored.path  # noqa: B018 - only storages with local files have one
    except NotImplementedError:
        return 0
    try:
        with stored.open("rb") as handle:
            kind = _sniff_audio(handle.read(12))
            handle.seek(0)
            audio = MP3(handle) if kind == "mp3" else MP4(handle) if kind == "m4a" else None
    except Exception:  # missing, unreadable or not audio: the caller reports it as unknown
        return 0
    return round(getattr(getattr(audio, "info", None), "length", 0) or 0)


# Images ---------------------------------------------------------------------------------------

ARTWORK_WIDTHS = (300, 600, 1400)
PHOTO_WIDTHS = (160, 320, 640)
PHOTO_MIN_PX = 100


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str
    mode: str


def _open_image(handle: IO[bytes]) -> Image.Image:
    """Open a JPEG or PNG (headers only); anything else or a decompression bomb is refused."""
    _checked_size(handle, settings.MAX_IMAGE_UPLOAD_BYTES, "image")
    head = handle.read(256).lstrip().lower()
    handle.seek(0)
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head:
        raise MediaError("SVG images are not accepted; upload a JPEG or PNG.")
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a warning is a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(handle, formats=["JPEG", "PNG"])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaError(
                "The image has far too many pixels to be processed safely "
                f"(at most {Image.MAX_IMAGE_PIXELS:,} pixels)."
            ) from exc
        except Image.UnidentifiedImageError as exc:
            raise MediaError("Only JPEG and PNG images are accepted.") from exc
        except Exception as exc:  # corrupt headers raise OSError, SyntaxError, struct.error, ...
            raise MediaError("The image is damaged or incomplete; export it again.") from exc
        finally:
            handle.seek(0)
    return image


def _has_trailing_data(handle: IO[bytes], image_format: str | None) -> bool:
    """A polyglot: a real image with a page, script or archive appended after its end marker."""
    handle.seek(max(0, _size(handle) - 64))
    tail = handle.read()
    handle.seek(0)
    if image_format == "PNG":
        return not tail.endswith(b"IEND\xaeB`\x82")
    if image_format == "JPEG":
        return not tail.rstrip(b"\x00").endswith(b"\xff\xd9")
    return False


def open_image(handle: IO[bytes]) -> Image.Image:
    """Open and fully decode a JPEG or PNG; anything else, a bomb or a damaged file is refused."""
    return _decode(_open_image(handle), handle)


def _decode(image: Image.Image, handle: IO[bytes]) -> Image.Image:
    """Decode every pixel: only then does a truncated or corrupt file show itself."""
    try:
        image.load()
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError on damaged data
        raise MediaError("The image is damaged or incomplete; export it again.") from exc
    finally:
        handle.seek(0)
    if _has_trailing_data(handle, image.format):
        raise MediaError(
            "The file has data hidden after the image (a file disguised as an image?); "
            "export it again as a plain JPEG or PNG."
        )
    return image


def check_image(handle: IO[bytes], *, artwork: bool) -> ImageInfo:
    """Check an upload: show and episode art against Apple's rules, any photo for sanity."""
    image = _open_image(handle)
    width, height = image.size
    info = ImageInfo(width=width, height=height, format=image.format or "", mode=image.mode)
    if artwork:
        problems = rules.artwork_problems(image.format, image.mode, width, height)
        if problems:
            raise MediaError(f"The artwork {'; it '.join(problems)}.")
    elif min(width, height) < PHOTO_MIN_PX:
        raise MediaError(
            f"The photo is {width}×{height} px; use at least {PHOTO_MIN_PX} px on each side."
        )
    # Size and colour are read from the headers; decoding comes last, for what passed them.
    _decode(image, handle)
    return info


def artwork_in_rgb(handle: IO[bytes]) -> IO[bytes]:
    """The artwork with its colour made RGB (transparency laid on white), in its own format.

    Only for art whose shape already meets the rule: the size limit keeps decoding safe. An RGB
    image comes back as the same handle, untouched.
    """
    try:
        with Image.open(handle) as image:
            if image.mode == rules.ARTWORK_MODE:
                return handle
            image_format = image.format
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                flat = Image.new("RGBA", image.size, "white")
                flat.alpha_composite(image.convert("RGBA"))
                converted = flat.convert("RGB")
            else:
                converted = image.convert("RGB")
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError on damaged data
        raise MediaError("The image is damaged or incomplete; export it again.") from exc
    finally:
        handle.seek(0)
    buffer = io.BytesIO()
    converted.save(buffer, image_format, **({"quality": 95} if image_format == "JPEG" else {}))
    buffer.seek(0)
    return buffer


def make_renditions(field_file: FieldFile, widths: tuple[int, ...]) -> dict:
    """Smaller WebP copies next to the original: {"source": name, "files": {width: name}}."""
    storage: Storage = field_file.storage
    with storage.open(field_file.name, "rb") as handle:
        original = io.BytesIO(handle.read())
    image = open_image(original)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
    folder, filename = os.path.split(field_file.name)
    stem = os.path.splitext(filename)[0]
    usable = [w for w in widths if w <= image.width] or [image.width]
    files = {}
    for width in usable:
        copy = image.copy()
        copy.thumbnail((width, round(width * image.height / image.width)), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "WEBP", quality=80, method=4)
        target = f"{folder}/renditions/{stem}-{width}.webp"
        files[str(width)] = storage.save(target, ContentFile(buffer.getvalue()))
    return {"source": field_file.name, "width": image.width, "height": image.height, "files": files}


def refresh_renditions(field_file: FieldFile, renditions: dict, widths: tuple[int, ...]) -> dict:
    """Renditions for the image now in the field: kept when current, remade when the art is new.

    Called from a model's save(): a new upload is stored first (as the field would do anyway),
    so its renditions can be read from storage.
    """
    if not field_file:
        return {}
    if not field_file._committed:
        field_file.save(field_file.name, field_file.file, save=False)
    if renditions.get("source") == field_file.name and renditions.get("files"):
        return renditions
    try:
        return make_renditions(field_file, widths)
    except (MediaError, OSError):
        # A page falls back to the original rather than an admin save failing on stored art.
        return {}


# Transcripts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptInfo:
    text: str
    mime_type: str
    extension: str


def read_transcript(handle: IO[bytes], filename: str) -> TranscriptInfo:
    """Validate a WebVTT or SRT transcript and give its text as `[mm:ss] Speaker: words` lines."""
    extension = os.path.splitext(filename)[1].lower().lstrip(".")
    if extension not in rules.CAPTION_FILE_TYPES:
        raise MediaError("Upload the transcript as WebVTT (.vtt) or SubRip (.srt).")
    _checked_size(handle, settings.MAX_TRANSCRIPT_UPLOAD_BYTES, "transcript")
    try:
        text = handle.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MediaError("The transcript must be UTF-8 text.") from exc
    finally:
        handle.seek(0)
    label = "WebVTT" if extension == "vtt" else "SubRip (SRT)"
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=extension).captions
    except Exception as exc:  # webvtt raises its own errors and ValueError on bad timestamps
        raise MediaError(f"This is not a valid {label} file: {exc}".rstrip(".") + ".") from exc
    lines = []
    for caption in captions:
        words = " ".join(caption.text.split())
        voice = getattr(caption, "voice", None)
        if words and voice:
            words = f"{' '.join(voice.split())}: {words}"
        if words:
            lines.append(f"[{format_duration(int(caption.start_in_seconds))}] {words}")
    if not lines:
        raise MediaError(f"The {label} file has no captions with text.")
    return TranscriptInfo(
        text="\n".join(lines), mime_type=rules.CAPTION_FILE_TYPES[extension], extension=extension
    )


def absolute_url(url: str) -> str:
    """Storage URLs may be paths (local disk) or full URLs (object storage); apps need full ones."""
    if not url or "://" in url:
        return url
    return settings.SITE_URL + url
