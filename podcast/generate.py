"""Small real media made by the project itself: demo content and test fixtures."""

import io
import math
from array import array

import lameenc
from PIL import Image, ImageDraw


def tone_mp3(seconds: float = 12.0, sample_rate: int = 44100, bitrate_kbps: int = 64) -> bytes:
    """A real MP3: a soft two-note chime that fades in and out."""
    total = int(seconds * sample_rate)
    samples = array("h")
    for i in range(total):
        t = i / sample_rate
        envelope = min(1.0, t * 4, (seconds - t) * 4)
        value = 0.25 * math.sin(2 * math.pi * 440 * t) + 0.15 * math.sin(2 * math.pi * 660 * t)
        samples.append(int(32767 * envelope * value))
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(samples.tobytes()) + encoder.flush())


def cover_art(text: str = "", size: int = 1400, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    """Square artwork: a warm gradient with concentric rings, optionally with a word on it."""
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        shade = y / size
        draw.line([(0, y), (size, y)], fill=(int(40 + 150 * shade), 24, int(90 - 40 * shade)))
    centre = size // 2
    for ring in range(6, 0, -1):
        radius = ring * size // 14
        draw.ellipse(
            [centre - radius, centre - radius, centre + radius, centre + radius],
            outline=(255, 214, 170),
            width=max(2, size // 200),
        )
    if text:
        draw.text((size // 14, size // 14), text, fill=(255, 240, 225), font_size=size // 12)
    if mode != "RGB":
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()
