from django import forms

from guests.models import Guest
from podcast.forms import ImageUploadField
from podcast.markdownx_urls import PlainPreviewWidget


class GuestAdminForm(forms.ModelForm):
    photo = ImageUploadField(artwork=False, help_text=Guest._meta.get_field("photo").help_text)

    class Meta:
        model = Guest
        fields = "__all__"  # noqa: DJ007 - GuestAdmin has no fieldsets; it shows every field
        widgets = {"bio": PlainPreviewWidget}
