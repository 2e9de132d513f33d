"""markdownx's upload and preview endpoints, for staff only (as shipped they answer anyone)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse, JsonResponse
from django.urls import path
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView
from PIL import Image, UnidentifiedImageError


class StrictImageForm(ImageForm):
    """Only real JPEG and PNG files, whatever the upload claims to be."""

    def clean(self) -> dict:
        cleaned = super().clean()
        upload = cleaned.get("image")
        if upload is not None:
            try:
                upload.seek(0)
                with Image.open(upload, formats=["JPEG", "PNG"]) as image:
                    image.verify()
            except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
                self.add_error("image", "Only JPEG and PNG images can be uploaded.")
            finally:
                upload.seek(0)
        return cleaned


class StrictImageUploadView(ImageUploadView):
    form_class = StrictImageForm

    def form_invalid(self, form: StrictImageForm) -> HttpResponse:
        return JsonResponse(form.errors, status=400)


urlpatterns = [
    path(
        "upload/",
        staff_member_required(StrictImageUploadView.as_view()),
        name="markdownx_upload",
    ),
    path(
        "markdownify/",
        staff_member_required(MarkdownifyView.as_view()),
        name="markdownx_markdownify",
    ),
]
