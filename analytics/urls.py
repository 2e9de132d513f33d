from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("listen/<int:episode_id>/<str:filename>", views.enclosure, name="enclosure"),
]
