from django.urls import path

from episodes import views
from episodes.pagecache import stamped_page

app_name = "episodes"

urlpatterns = [
    path("", stamped_page(views.home), name="home"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("<slug:show>/", stamped_page(views.show_detail), name="show"),
    path("<slug:show>/feed.xml", views.feed, name="feed"),
    path("<slug:show>/episodes/", stamped_page(views.episode_list), name="list"),
    path("<slug:show>/episodes/<slug:slug>/", stamped_page(views.episode_detail), name="detail"),
    path("<slug:show>/episodes/<slug:slug>/chapters.json", views.chapters, name="chapters"),
]
