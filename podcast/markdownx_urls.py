"""markdownx's upload and preview endpoints, for staff only (as shipped they answer anyone).

Each preview renders exactly as the public page does: show notes with seekable timestamps
(markdownx's own endpoint), a guest's bio as plain sanitised markdown (PlainPreviewWidget).
"""

from collections.abc import Callable

from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, reverse_lazy
from django.views.decorators.http import require_POST
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView
from markdownx.widgets import AdminMarkdownxWidget

from podcast.markdown import preview_plain, preview_show_notes
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


def preview(renderer: Callable[[str], str]) -> Callable[[HttpRequest], HttpResponse]:
    """A live-preview endpoint answering markdownx's editor with `renderer`'s HTML."""

    @staff_member_required
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(renderer(request.POST.get("content", "")))

    return view


class PlainPreviewWidget(AdminMarkdownxWidget):
    """The admin's markdown editor for text shown without a player (a guest's bio)."""

    def add_markdownx_attrs(self, attrs: dict) -> dict:
        attrs = super().add_markdownx_attrs(attrs)
        attrs["data-markdownx-urls-path"] = str(reverse_lazy("markdown_preview_plain"))
        return attrs


urlpatterns = [
    path(
        "upload/",
        staff_member_required(StrictImageUploadView.as_view()),
        name="markdownx_upload",
    ),
    path("markdownify/", preview(preview_show_notes), name="markdownx_markdownify"),
    path("markdownify/plain/", preview(preview_plain), name="markdown_preview_plain"),
]
