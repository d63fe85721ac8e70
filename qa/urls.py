"""The Q&A sessions' URLs, mounted at the root by ``urls.py``: the public
pages under ``/sesi/``, the officials' console under ``/konsol/``."""

from django.urls import path

from qa.views import console, follow, ics, pages

app_name = "qa"

urlpatterns = [
    path("sesi/", pages.session_list, name="schedule"),
    path("sesi/<int:pk>/", pages.detail, name="session"),
    path("sesi/<int:pk>.ics", ics.session_ics, name="ics"),
    path("sesi/<int:pk>/tanya/", pages.ask, name="ask"),
    path("sesi/<int:pk>/dukung/<int:question_id>/", pages.vote, name="vote"),
    path("sesi/<int:pk>/ikuti/", follow.follow, name="follow"),
    path("konsol/", console.index, name="console"),
    path("konsol/<int:pk>/", console.session, name="console_session"),
    path("konsol/<int:pk>/aksi/", console.act, name="console_act"),
]
