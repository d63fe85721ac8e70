"""The forum's URLs, mounted at ``/aspirasi/`` by the root ``urls.py``."""

from forum import urls_pages

app_name = "forum"

urlpatterns = [*urls_pages.urlpatterns]
