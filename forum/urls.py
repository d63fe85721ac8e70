"""The forum's URLs, mounted at ``/aspirasi/`` by the root ``urls.py``."""

from django.urls import path

from forum import urls_pages
from forum.views import search, stats

app_name = "forum"

urlpatterns = [
    path("statistik/", stats.statistics, name="statistics"),
    path("mirip/", search.similar, name="similar"),
    *urls_pages.urlpatterns,
]
