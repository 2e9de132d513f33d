from django.urls import path

from episodes import views

app_name = "episodes"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
    path("<slug:show>/", views.show_detail, name="show"),
    path("<slug:show>/feed.xml", views.feed, name="feed"),
    path("<slug:show>/episodes/", views.episode_list, name="list"),
    path("<slug:show>/seasons/<int:number>/", views.season_detail, name="season"),
    path("<slug:show>/episodes/<slug:slug>/", views.episode_detail, name="detail"),
    path("<slug:show>/episodes/<slug:slug>/chapters.json", views.chapters, name="chapters"),
    path("<slug:show>/episodes/<slug:slug>/soundbites/", views.add_soundbite, name="soundbite"),
]
