from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from episodes import embed
from episodes.sitemaps import EpisodeSitemap, ShowSitemap, TagSitemap
from guests.sitemaps import GuestSitemap
from podcast import views

# The root URLconf, like settings, names the apps it assembles; podcast's other modules do not.
SITEMAPS = {
    "shows": ShowSitemap,
    "episodes": EpisodeSitemap,
    "guests": GuestSitemap,
    "tags": TagSitemap,
}

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("markdownx/", include("podcast.markdownx_urls")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", views.healthz, name="healthz"),
    path("media/<path:path>", views.serve_media, name="media"),
    path("guests/", include("guests.urls")),
    path("embed/<slug:show>/", embed.embed_latest, name="embed_latest"),
    path("embed/<slug:show>/<slug:slug>/", embed.embed, name="embed"),
    path("oembed/", embed.oembed, name="oembed"),
    path("", include("analytics.urls")),
    path("", include("episodes.urls")),
]

handler404 = "podcast.views.page_not_found"
handler500 = "podcast.views.server_error"
