"""What Apple Podcasts, Spotify and Podcast Index accept (REFERENCE.md), in one place.

The admin forms refuse what breaks these rules, the importers convert or report it, the feed
writes within them and `check_feed` names every break: all of them read the rules here, so they
cannot disagree about what a directory takes.
"""

from django.core.exceptions import ValidationError

# Namespaces --------------------------------------------------------------------------------------

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
# Feeds written before the namespace settled use its old GitHub URI; readers accept both.
PODCAST_NAMESPACES = (
    PODCAST_NS,
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)

# Text --------------------------------------------------------------------------------------------

DESCRIPTION_LIMIT = 4000  # bytes of UTF-8: a show's or an episode's description


def description_bytes_over(text: str) -> int | None:
    """The text's size in bytes when it exceeds the description limit, else None."""
    size = len(text.encode("utf-8"))
    return size if size > DESCRIPTION_LIMIT else None


def validate_description(text: str) -> None:
    if size := description_bytes_over(text):
        raise ValidationError(
            f"At most {DESCRIPTION_LIMIT:,} bytes are allowed (Apple's limit); "
            f"this is {size:,} bytes."
        )


# Artwork -----------------------------------------------------------------------------------------

ARTWORK_MIN_PX, ARTWORK_MAX_PX = 1400, 3000
# Pillow's format name and the file extensions each may carry; the first is the one we write.
ARTWORK_FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
ARTWORK_MODE = "RGB"
_MODE_PROBLEMS = {
    "CMYK": "uses the CMYK colour space (print); Apple needs RGB",
    "P": "is a palette (indexed-colour) image; Apple needs full RGB colour",
    "L": "is greyscale; Apple needs RGB colour",
    "LA": "is greyscale with transparency; Apple needs RGB colour without transparency",
    "RGBA": "has transparency (an alpha channel); Apple needs RGB without transparency",
    "1": "is black-and-white (1-bit); Apple needs RGB colour",
}


def artwork_shape_problems(image_format: str | None, width: int, height: int) -> list[str]:
    """What no colour conversion can mend: the format, squareness and size, as `is …` phrases."""
    problems = []
    if image_format not in ARTWORK_FORMATS:
        problems.append(f"is {image_format or 'of an unknown format'}; use JPEG or PNG")
    if width != height:
        problems.append(f"is {width}×{height} px but must be square")
    if not all(ARTWORK_MIN_PX <= side <= ARTWORK_MAX_PX for side in (width, height)):
        problems.append(
            f"is {width}×{height} px but must be between {ARTWORK_MIN_PX} and "
            f"{ARTWORK_MAX_PX} px on each side"
        )
    return problems


def artwork_mode_problem(mode: str) -> str | None:
    """Why the colour mode is refused (an `is …`/`has …` phrase), or None for RGB."""
    if mode == ARTWORK_MODE:
        return None
    return _MODE_PROBLEMS.get(mode, f"uses colour mode {mode}; Apple needs RGB")


def artwork_problems(image_format: str | None, mode: str, width: int, height: int) -> list[str]:
    """Every way this image breaks Apple's artwork rule; [] when Apple takes it."""
    mode_problem = artwork_mode_problem(mode)
    shape = artwork_shape_problems(image_format, width, height)
    return [*shape, mode_problem] if mode_problem else shape


def artwork_extension(image_format: str) -> str:
    """The extension an artwork file of this format is stored under (".png", ".jpg")."""
    return ARTWORK_FORMATS[image_format][0]


# Audio -------------------------------------------------------------------------------------------

# Apple's enclosure extensions and the types each may be served as.
ENCLOSURE_TYPES = {
    ".mp3": {"audio/mpeg", "audio/mp3"},
    ".m4a": {"audio/x-m4a", "audio/mp4", "audio/m4a"},
    ".mp4": {"video/mp4"},
    ".m4v": {"video/x-m4v", "video/mp4"},
    ".mov": {"video/quicktime"},
    ".pdf": {"application/pdf"},
}
# The audio we take (uploads, external files), by extension, with the type we write for it.
AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/x-m4a"}
AUDIO_MIME_TYPES = frozenset(ENCLOSURE_TYPES[".mp3"] | ENCLOSURE_TYPES[".m4a"])


def enclosure_problem(extension: str, mime_type: str) -> str | None:
    """Why a directory would refuse an enclosure with this file extension and type."""
    if extension not in ENCLOSURE_TYPES:
        return f"audio file name ends in “{extension}”; Apple accepts .mp3 or .m4a"
    if not mime_type:
        return "audio type is unknown"
    if mime_type not in ENCLOSURE_TYPES[extension]:
        return f"audio type {mime_type} does not match its “{extension}” file name"
    return None


# Transcripts -------------------------------------------------------------------------------------

# Files of timed captions, by extension: podcast:transcript marks them rel="captions".
CAPTION_FILE_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}
CAPTION_TYPES = frozenset(CAPTION_FILE_TYPES.values())
TRANSCRIPT_TYPES = CAPTION_TYPES | {"application/json", "text/html", "text/plain"}
