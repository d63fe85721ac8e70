from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.console, name="console"),
    path("api/klaim/", views.claim, name="claim"),
    path("api/putuskan/", views.decide, name="decide"),
    path("api/setujui-semua/", views.bulk_approve, name="bulk_approve"),
    path("api/item/<int:pk>/", views.item_detail, name="item"),
    path("api/sanksi/", views.sanction, name="sanction"),
    path("api/sanksi/<int:pk>/cabut/", views.sanction_lift, name="sanction_lift"),
    path("laporkan/", views.report, name="report"),
    path("audit/", views.audit, name="audit"),
]
