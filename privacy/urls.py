from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.notice, name="notice"),
    path("unduh/", views.export, name="export"),
    path("hapus-akun/", views.erase, name="erase"),
]
