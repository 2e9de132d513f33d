from django.urls import path

from guests import views

app_name = "guests"

urlpatterns = [
    path("<slug:slug>/", views.guest_detail, name="detail"),
]
