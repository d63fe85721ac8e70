"""``manage.py seed_demo``: the demo people and agencies, idempotent."""

import io
import re

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.choices import Kecamatan, Role
from accounts.models import User
from chat.models import MessageStatus
from officials.models import Agency, AgencyKind, Official
from officials.selectors import acts_for
from ops.demo import ACCOUNTS
from qa import selectors
from qa.models import Follow, Question, Session, SessionStatus

# Committed rows: the demo's questions reach moderation's queue (a Redis stream) on commit.
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-pw-2026"
OFFICIALS = ["bupati", "wakilbupati", "sekda", "kadinkes", "kadisdik", "kadpupr", "stafbupati"]
CITIZENS = [f"warga{n}" for n in range(1, 6)]


def authenticate(**credentials):
    """A sign-in check needs its request: django-axes counts failures per address."""
    return django_authenticate(RequestFactory().post("/akun/masuk/"), **credentials)


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_loads_the_people():
    seed("--password", PASSWORD)
    roles = dict(User.objects.values_list("username", "role"))
    assert {name: roles.get(name) for name in OFFICIALS} == dict.fromkeys(OFFICIALS, Role.OFFICIAL)
    assert roles["moderator"] == Role.MODERATOR
    assert roles["admin"] == Role.ADMIN
    assert {name: roles.get(name) for name in CITIZENS} == dict.fromkeys(CITIZENS, Role.CITIZEN)
    assert User.objects.get(username="bupati").title == "Bupati Pati"


def test_demo_citizens_differ_in_category_and_kecamatan():
    seed("--password", PASSWORD)
    citizens = User.objects.filter(username__in=CITIZENS)
    assert len({user.category for user in citizens}) == 5
    assert len({user.kecamatan for user in citizens}) >= 4
    assert all(user.kecamatan for user in citizens)


def test_seed_demo_loads_the_agencies():
    seed("--password", PASSWORD)
    assert Agency.objects.filter(kind__in=[AgencyKind.DINAS, AgencyKind.BADAN]).count() >= 10
    offices = Agency.objects.filter(kind=AgencyKind.KECAMATAN)
    assert offices.count() == 21
    assert {office.short_name for office in offices} == {k.label for k in Kecamatan}
    headed = Agency.objects.exclude(head=None).exclude(kind=AgencyKind.KECAMATAN)
    assert headed.count() >= 3
    assert all(agency.head.role == Role.OFFICIAL for agency in headed)
    assert Agency.objects.get(slug="dinkes").head.username == "kadinkes"


def test_every_demo_login_authenticates_with_the_given_password():
    seed("--password", PASSWORD)
    for account in ACCOUNTS:
        assert authenticate(username=account.username, password=PASSWORD) is not None, account.username
        assert authenticate(username=account.username, password="wrong") is None


def test_seed_demo_is_idempotent():
    seed("--password", PASSWORD)
    counts = (User.objects.count(), Agency.objects.count(), Agency.objects.exclude(head=None).count())
    User.objects.filter(username="warga1").update(display_name="Changed", role=Role.ADMIN)

    seed("--password", "another-pw-9")
    assert (User.objects.count(), Agency.objects.count(), Agency.objects.exclude(head=None).count()) == counts
    warga1 = User.objects.get(username="warga1")
    assert (warga1.display_name, warga1.role) == ("Siti Aminah", Role.CITIZEN)
    assert authenticate(username="warga1", password="another-pw-9") is not None


def test_seed_demo_keeps_other_accounts():
    User.objects.create_user(username="citizen-x", password="pw-x-1234", display_name="X")
    seed("--password", PASSWORD)
    assert authenticate(username="citizen-x", password="pw-x-1234") is not None


def test_seed_demo_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", "--password", PASSWORD, stdout=io.StringIO())
    assert not User.objects.filter(username="bupati").exists()


def test_seed_demo_prints_a_random_password_when_none_is_given():
    out = seed()
    match = re.search(r"password for every demo account: (\S+)", out)
    assert match, out
    password = match.group(1)
    assert len(password) >= 8
    assert authenticate(username="bupati", password=password) is not None
    second = re.search(r"password for every demo account: (\S+)", seed()).group(1)
    assert second != password


def test_seed_demo_refuses_a_too_short_password():
    with pytest.raises(CommandError):
        seed("--password", "abc")
    assert not User.objects.exists()


def test_seed_demo_quiet_prints_nothing():
    out = seed("--password", PASSWORD, "--quiet")
    assert out == ""


def test_seed_demo_names_a_delegate_of_the_bupati():
    out = seed("--password", PASSWORD)
    staff, bupati = User.objects.get(username="stafbupati"), User.objects.get(username="bupati")
    assert acts_for(staff) == {bupati.pk}
    assert not Official.objects.filter(user=staff).exists(), "a delegate, not an official"
    assert "stafbupati (delegate of bupati)" in out


def test_seed_demo_holds_a_live_session_of_the_bupati_and_an_upcoming_one_of_the_wakil_bupati():
    out = seed("--password", PASSWORD)
    assert "2 Q&A sessions" in out
    bupati, staff = User.objects.get(username="bupati"), User.objects.get(username="stafbupati")
    live = Session.objects.get(status=SessionStatus.LIVE)
    assert list(live.officials.all()) == [bupati]
    assert live.opened_at is not None and live.starts_at <= timezone.now() < live.ends_at
    questions = Question.objects.filter(session=live).select_related("message")
    assert {q.message.status for q in questions} == {MessageStatus.PUBLISHED, MessageStatus.HELD}
    assert selectors.questions_waiting(session_id=live.pk) == 2
    ranked = selectors.questions_ranked(session_id=live.pk)
    assert len(ranked) == 3 and ranked[0].votes == 4 and sum(q.votes for q in ranked) == 7
    answered = [q for q in ranked if q.answered_at is not None]
    assert len(answered) == 1
    assert (answered[0].answered_by, answered[0].answered_for) == (staff, bupati)
    assert answered[0].answer_message.status == MessageStatus.PUBLISHED
    assert any(q.anonymous for q in ranked)

    upcoming = Session.objects.get(status=SessionStatus.SCHEDULED)
    assert list(upcoming.officials.values_list("username", flat=True)) == ["wakilbupati"]
    assert upcoming.starts_at > timezone.now()
    followers = set(Follow.objects.filter(session=upcoming).values_list("user__username", flat=True))
    assert followers == {"warga1", "warga2", "warga3", "warga4"}

    # Again: the live and the upcoming sessions are kept, nothing is asked or voted twice.
    seed("--password", PASSWORD)
    assert Session.objects.count() == 2 and Question.objects.count() == 5
    assert Follow.objects.count() == 4 and sum(q.votes for q in selectors.questions_ranked(session_id=live.pk)) == 7
