"""markdownx's upload and preview endpoints, for staff only (as shipped they answer anyone)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse, JsonResponse
from django.urls import path
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView

from podcast.media import MediaError, open_image


class StrictImageForm(ImageForm):
    """Only real JPEG and PNG files, whatever the upload claims to be (the admin's own checks)."""

    def clean(self) -> UploadedFile:
        upload = super().clean()  # markdownx's clean returns the upload itself
        try:
            open_image(upload)
        except MediaError as exc:
            self.add_error("image", str(exc))
        return upload


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
