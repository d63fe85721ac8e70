"""The rooms of existing sessions are embedded in the session's page
(``chat.Room.page_url``): chat no longer lists, serves or lets sockets join them."""

from django.db import migrations


def embed(apps, schema_editor):
    Session = apps.get_model("qa", "Session")
    Room = apps.get_model("chat", "Room")
    for session_id, room_id in Session.objects.filter(room__isnull=False).values_list("pk", "room_id"):
        Room.objects.filter(pk=room_id).update(page_url=f"/sesi/{session_id}/")


class Migration(migrations.Migration):

    dependencies = [
        ("qa", "0003_session_rev"),
        ("chat", "0003_room_page_url"),
    ]

    operations = [migrations.RunPython(embed, migrations.RunPython.noop)]
