"""The Q&A sessions' URLs, mounted at ``sesi/``."""

from django.urls import path

from qa.views import follow

app_name = "qa"

urlpatterns = [
    path("<int:pk>/ikuti/", follow.follow, name="follow"),
]
