"""Small real media made by the project itself: demo content and test fixtures."""

import io
import math
from array import array

import lameenc
from PIL import Image, ImageDraw


def tone_mp3(
    seconds: float = 12.0, sample_rate: int = 44100, bitrate_kbps: int = 64, base_hz: int = 440
) -> bytes:
    """A real MP3: a soft two-note chime (base and fifth) that fades in and out."""
    # Whole-hertz tones repeat every second: synthesise one second, repeat it, shape the ends.
    second = array("h")
    for i in range(sample_rate):
        t = i / sample_rate
        value = 0.25 * math.sin(2 * math.pi * base_hz * t)
        value += 0.15 * math.sin(2 * math.pi * base_hz * 1.5 * t)
        second.append(int(32767 * value))
    total = int(seconds * sample_rate)
    samples = array("h", second * (total // sample_rate + 1))[:total]
    fade = min(sample_rate // 4, total // 2)
    for i in range(fade):
        samples[i] = int(samples[i] * i / fade)
        samples[total - 1 - i] = int(samples[total - 1 - i] * i / fade)
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
