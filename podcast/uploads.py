"""Upload names: new, unique and ASCII-safe every time, so a file is never replaced at its URL."""

import os
import uuid

from django.utils.deconstruct import deconstructible
from django.utils.text import slugify


@deconstructible
class UploadPath:
    """`<instance.upload_folder>/<kind>/<slugified name>-<random>.<ext>`."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, instance: object, filename: str) -> str:
        stem, ext = os.path.splitext(os.path.basename(filename))
        ext = slugify(ext.lstrip("."))[:8].lower()
        name = f"{(slugify(stem) or 'file')[:60]}-{uuid.uuid4().hex[:12]}"
        folder = getattr(instance, "upload_folder", "uploads")
        return f"{folder}/{self.kind}/{name}.{ext}" if ext else f"{folder}/{self.kind}/{name}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadPath) and other.kind == self.kind
