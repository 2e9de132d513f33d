"""Small real media files for the media tests, made on the spot."""

import io
import math
from array import array
from functools import cache

import av
from PIL import Image

from podcast.generate import cover_art, tone_mp3

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1400" height="1400">'
    b'<script>alert(1)</script><rect width="1400" height="1400"/></svg>'
)
# The start of a Linux executable: what an `.exe`/ELF renamed to `.mp3` begins with.
EXECUTABLE = b"\x7fELF\x02\x01\x01\x00" + bytes(56) + b"\x90" * 4000
MZ_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run" * 100

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
Welcome to <b>Shipping ML</b>.

00:01:05.500 --> 00:01:09.000
Today: models in production.
"""

SRT = """1
00:00:02,000 --> 00:00:05,000
Hello from an SRT file.

2
00:02:10,000 --> 00:02:12,500
Second caption,
on two lines.
"""


@cache
def mp3(seconds: float = 4.0) -> bytes:
    return tone_mp3(seconds)


@cache
def low_bitrate_mp3(seconds: int = 3) -> bytes:
    """8 kHz at 8 kbit/s (MPEG 2.5) with no ID3 tag: how low-bandwidth renditions are made."""
    return tone_mp3(seconds, sample_rate=8000, bitrate_kbps=8)


def _encoded_tone(container_format: str, codec: str, rate: int, frame: int, seconds: int) -> bytes:
    """A real file of a 440 Hz tone, encoded by FFmpeg through PyAV."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        for start in range(0, rate * seconds, frame):
            samples = array(
                "h",
                (int(6000 * math.sin((start + k) * math.tau * 440 / rate)) for k in range(frame)),
            )
            audio = av.AudioFrame(format="s16", layout="mono", samples=frame)
            audio.planes[0].update(samples.tobytes())
            audio.sample_rate = rate
            audio.pts = start
            for packet in stream.encode(audio):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


@cache
def m4a(seconds: int = 3) -> bytes:
    """A real AAC-in-MP4 file."""
    return _encoded_tone("ipod", "aac", 44100, 1024, seconds)


@cache
def opus(seconds: int = 2) -> bytes:
    """A real Ogg Opus file."""
    return _encoded_tone("ogg", "libopus", 48000, 960, seconds)


@cache
def wav(seconds: int = 2) -> bytes:
    """Real audio of a kind no podcast app takes as a rendition: PCM in WAV."""
    return _encoded_tone("wav", "pcm_s16le", 8000, 1024, seconds)


@cache
def png(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white" if mode != "1" else 0).save(buffer, "PNG")
    return buffer.getvalue()


@cache
def art(size: int = 1400, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    return cover_art("Art", size=size, fmt=fmt, mode=mode)


def png_bomb(pixels_per_side: int = 10_000) -> bytes:
    """A tiny PNG file that would decode to a huge bitmap."""
    return png(pixels_per_side, pixels_per_side, mode="1")


def admin_form_data(client, url: str) -> dict:
    """What the admin page at `url` would post back unchanged: main form and every inline."""
    from django import forms

    response = client.get(url)
    assert response.status_code == 200, url
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        all_forms.append(inline.formset.management_form)
        all_forms.extend(inline.formset.forms)
    data = {}
    for form in all_forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field, forms.FileField) or value is None:
                continue
            if isinstance(field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(field, forms.SplitDateTimeField):
                data[f"{bound.html_name}_0"] = value.date().isoformat()
                data[f"{bound.html_name}_1"] = value.time().strftime("%H:%M:%S")
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            else:
                data[bound.html_name] = str(value)
    return data
