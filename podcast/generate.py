"""Small real media made by the project itself: demo content and test fixtures."""

import io
import math
from array import array

import lameenc
from PIL import Image, ImageDraw

# A chime longer than this is built from segments encoded once each and repeated: every segment
# ends on whole frames with a fresh encoder, so the joined stream plays through and its length is
# the sum of theirs, while an hour of audio costs a few encodes instead of an hour's.
SEGMENT_SECONDS = 30


def tone_mp3(
    seconds: float = 12.0, sample_rate: int = 44100, bitrate_kbps: int = 64, base_hz: int = 440
) -> bytes:
    """A real constant-bitrate MP3 of `seconds`: a soft two-note chime that fades in and out.

    Long files repeat one SEGMENT_SECONDS chime; at 8 kHz and 8 kbps an hour is 3.6 MB.
    """
    if seconds <= SEGMENT_SECONDS:
        return _encode_chime(seconds, sample_rate, bitrate_kbps, base_hz)
    segment = _encode_chime(SEGMENT_SECONDS, sample_rate, bitrate_kbps, base_hz)
    segment_seconds = len(segment) * 8 / (bitrate_kbps * 1000)  # constant bitrate, no header
    repeats = int((seconds - 1) // segment_seconds)
    rest = seconds - repeats * segment_seconds
    # The encoder pads the last segment up to whole frames; end a little early to come out even.
    frame_seconds = (1152 if sample_rate >= 32000 else 576) / sample_rate
    tail = _encode_chime(max(rest - 2 * frame_seconds, 1.0), sample_rate, bitrate_kbps, base_hz)
    return segment * repeats + tail


def _encode_chime(seconds: float, sample_rate: int, bitrate_kbps: int, base_hz: int) -> bytes:
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
