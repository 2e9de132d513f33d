from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from guests.forms import GuestAdminForm
from guests.models import Guest, GuestLink
from podcast.admin import KeepWhileInUse, RowsInline


class GuestLinkInline(RowsInline):
    model = GuestLink


@admin.register(Guest)
class GuestAdmin(KeepWhileInUse, MarkdownxModelAdmin):
    # Appearances protect a guest in the database; hosting a show does here.
    users_of = ["hosted_shows"]
    form = GuestAdminForm
    list_display = ["name", "title", "organisation", "updated"]
    search_fields = ["name", "title", "organisation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GuestLinkInline]
