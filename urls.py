"""Root URL configuration: each app owns its URLs."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("akun/", include("accounts.urls")),
    path("notifikasi/", include("notify.urls")),
    path("ruang/", include("chat.urls")),
    path("moderasi/", include("moderation.urls")),
    path("aspirasi/", include("forum.urls")),
    path("", include("qa.urls")),
    path("privasi/", include("privacy.urls")),
    path("", include("ops.urls")),
    path("", include("frontend.urls")),
]

handler500 = "frontend.views.server_error"
