from django.urls import path

from notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("baca/", views.mark_read, name="mark_read"),
    path("baca-semua/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/buka/", views.open_notification, name="open"),
    path("pengaturan/", views.preferences, name="preferences"),
    path("umumkan/", views.announce, name="announce"),
]
