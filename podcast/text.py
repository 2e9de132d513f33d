"""Small text helpers shared by models, feed and importers."""

import re

# Invalid in XML 1.0 (REFERENCE.md): C0 controls except tab, newline and carriage return.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # the C0 ones


def strip_control_chars(value: str) -> str:
    if not value:
        return value
    # Nearly all text has none, and deleting bytes from its UTF-8 tells that in a third of the
    # time the expression takes to find nothing (every feed item goes through here).
    encoded = value.encode("utf-8", "surrogatepass")
    unchanged = len(encoded.translate(None, _CONTROL_BYTES)) == len(encoded)
    if unchanged and "\ufffe" not in value and "\uffff" not in value:
        return value
    return _CONTROL_CHARS.sub("", value)


def truncate_bytes(value: str, limit: int) -> str:
    """Cut text to at most `limit` UTF-8 bytes without splitting a character."""
    encoded = value.encode("utf-8")
    if len(encoded) <= limit:
        return value
    return encoded[:limit].decode("utf-8", errors="ignore")


def format_duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# The largest duration a PositiveIntegerField holds on every database: 68 years.
MAX_DURATION = 2**31 - 1


def parse_duration(value: str | int | float | None) -> int | None:
    """Seconds from `45:32`, `1:02:03`, `2732` or `2732.4`; None when it is not a duration."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if 0 <= value <= MAX_DURATION else None  # also refuses inf and nan
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text, re.ASCII):
        seconds = float(text)
        return int(seconds) if seconds <= MAX_DURATION else None
    if not re.fullmatch(r"\d{1,3}(:\d{1,2}){1,2}(\.\d+)?", text, re.ASCII):
        return None
    parts = text.split(".")[0].split(":")
    numbers = [int(p) for p in parts]
    if any(n >= 60 for n in numbers[1:]):
        return None
    total = 0
    for n in numbers:
        total = total * 60 + n
    return total
