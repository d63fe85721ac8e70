from django.urls import path

from forum.views import stats

app_name = "forum"

urlpatterns = [
    path("statistik/", stats.statistics, name="statistics"),
]
