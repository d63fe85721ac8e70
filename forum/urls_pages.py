"""The forum's pages under ``/aspirasi/`` (no ``app_name`` here: ``forum/urls.py``
includes these patterns in the ``forum`` namespace)."""

from django.urls import path

from forum.views import pages

urlpatterns = [
    path("", pages.aspiration_list, name="list"),
    path("kirim/", pages.compose, name="compose"),
    path("saya/", pages.mine, name="mine"),
    path("instansi/", pages.inbox, name="inbox"),
    path("<int:pk>/", pages.detail, name="detail"),
    path("<int:pk>/dukung/", pages.support, name="support"),
    path("<int:pk>/ikuti/", pages.follow, name="follow"),
    path("<int:pk>/balas/", pages.reply, name="reply"),
    path("<int:pk>/jawab/", pages.answer, name="answer"),
    path("<int:pk>/status/", pages.status, name="status"),
    path("<int:pk>/nilai/", pages.rate, name="rate"),
    path("<int:pk>/balasan/<int:reply_id>/ubah/", pages.reply_edit, name="reply_edit"),
    path("<int:pk>/balasan/<int:reply_id>/hapus/", pages.reply_delete, name="reply_delete"),
    path("<int:pk>/balasan/<int:reply_id>/laporkan/", pages.reply_report, name="reply_report"),
    path("<int:pk>/foto/<int:photo_id>/", pages.photo, name="photo"),
    path("<int:pk>/foto/<int:photo_id>/thumb/", pages.photo, {"thumb": True}, name="photo_thumb"),
]
