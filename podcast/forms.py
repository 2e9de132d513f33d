"""Form fields every app's admin shares: an upload is read and checked before it is stored."""

import os

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model

from podcast import rules
from podcast.media import MediaError, check_image


def upload_field(model: type[Model], name: str, accept: str, **kwargs) -> forms.FileField:
    """An optional upload of the model's field `name`, offering the files `accept` names."""
    return forms.FileField(
        required=False,
        widget=AdminFileWidget(attrs={"accept": accept}),
        help_text=model._meta.get_field(name).help_text,
        **kwargs,
    )


class ImageUploadField(forms.FileField):
    """A JPEG or PNG upload; artwork must also meet Apple's rules."""

    def __init__(self, *, artwork: bool, **kwargs) -> None:
        self.artwork = artwork
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", AdminFileWidget(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(**kwargs)

    def to_python(self, data: UploadedFile | None) -> UploadedFile | None:
        upload = super().to_python(data)
        if upload is not None:
            try:
                info = check_image(upload, artwork=self.artwork)
            except MediaError as exc:
                raise ValidationError(str(exc), code="invalid_image") from exc
            # Object storage keeps the type the browser claimed; the content decides instead.
            upload.content_type = f"image/{info.format.lower()}"
            upload.name = with_extension(upload.name, rules.artwork_extension(info.format))
        return upload


def with_extension(name: str, extension: str) -> str:
    """The name with the extension its content has, so the file is served with the right type."""
    return f"{os.path.splitext(name)[0]}.{extension.lstrip('.')}"
