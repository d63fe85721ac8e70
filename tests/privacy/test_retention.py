"""The scheduled purge: raw personal data older than its setting is masked
or deleted, on a clock the test moves (``retention_purge(now=…)``)."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import override_settings
from django.utils import timezone

from chat.models import Message
from common import jobs
from forum import services as forum
from forum.models import Aspiration, Status
from notify.models import Notification
from notify.services import notification_send
from privacy.models import UnmaskEntry
from privacy.services import retention_purge
from tests.forum import factories
from tests.privacy.helpers import NIK, PHONE, chat_message


@override_settings(PRIVACY_RAW_TEXT_DAYS=30, PRIVACY_NOTIFICATION_DAYS=10, PRIVACY_UNMASK_LOG_DAYS=365)
def test_old_raw_texts_are_masked_and_old_notifications_deleted_on_the_clock(cast):
    siti = cast["siti"]
    old = chat_message(siti, f"telepon {PHONE}")
    fresh = chat_message(siti, f"telepon lagi {PHONE}")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    notification_send(recipients=[siti.pk], kind="chat.mention", params={"where": "x", "excerpt": "y"})
    now = timezone.now()

    assert retention_purge(now=now)["chat_texts"] == 1
    old.refresh_from_db(), fresh.refresh_from_db()
    assert PHONE not in old.body and PHONE not in old.html and old.body.startswith("telepon 0812")
    assert fresh.body == f"telepon lagi {PHONE}", "a text younger than the setting keeps its original"
    assert Notification.objects.filter(recipient=siti).count() == 1

    later = now + timedelta(days=11)
    done = retention_purge(now=later)
    assert done["notifications"] == 1 and not Notification.objects.filter(recipient=siti).exists()
    assert done["chat_texts"] == 0, "the 30 days of the fresh text have not passed"
    assert retention_purge(now=now + timedelta(days=31))["chat_texts"] == 1
    fresh.refresh_from_db()
    assert PHONE not in fresh.body


@override_settings(PRIVACY_RAW_TEXT_DAYS=30)
def test_a_closed_aspiration_loses_its_raw_personal_data_an_open_one_keeps_it(cast):
    siti = cast["siti"]
    closed = factories.submit(siti, title="Lampu mati", body=f"NIK {NIK}, telp {PHONE}")
    factories.verify(closed, cast["moderator"])
    open_one = factories.submit(siti, body=f"NIK saya {NIK}")
    forum.reply_post(user=siti, aspiration_id=closed.pk, body=f"hubungi {PHONE}")
    Aspiration.objects.filter(pk=closed.pk).update(status=Status.DONE)
    later = timezone.now() + timedelta(days=31)

    assert retention_purge(now=later)["forum_texts"] == 2
    closed.refresh_from_db(), open_one.refresh_from_db()
    assert NIK not in closed.body and PHONE not in closed.body and NIK not in closed.html
    assert PHONE not in closed.replies.get().body
    assert NIK in open_one.body, "the agency still works on an open aspiration"
    assert retention_purge(now=later)["forum_texts"] == 0, "masking again changes nothing"


def test_failed_sign_ins_and_old_unmask_log_entries_are_deleted(cast, settings):
    now = timezone.now()
    AccessAttempt.objects.create(username="siti", ip_address="203.0.113.9", user_agent="x", http_accept="*/*",
                                 path_info="/akun/masuk/", failures_since_start=1)
    UnmaskEntry.objects.create(viewer=cast["moderator"], subject=cast["siti"], target="chat.message:1",
                               kinds="nik", where="console")

    kept = retention_purge(now=now)
    assert (kept["sign_in_failures"], kept["unmask_log"]) == (0, 0)
    done = retention_purge(now=now + settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
    assert done["sign_in_failures"] == 1 and not AccessAttempt.objects.exists()
    assert retention_purge(now=now + timedelta(days=settings.PRIVACY_UNMASK_LOG_DAYS + 1))["unmask_log"] == 1


def test_the_purge_runs_as_a_periodic_job_of_the_worker():
    periodic = jobs._periodic["privacy.retention"]
    assert periodic.fn is retention_purge
