"""The second sign-in step for officials (delegates included), moderators and
administrators (issue 14 D): TOTP codes computed here from the device's key,
as the authenticator app computes them; recovery codes; enrolment; the
console, its API and the Django admin closed until the step is passed; a
role change rotating the session; citizens unaffected."""

from __future__ import annotations

import base64
import re
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.models import User
from accounts.services import recovery_codes_issue
from tests.signin import force_login_unverified, give_authenticator, totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "kopi-tubruk-juwana-77"
LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
STEP = reverse("accounts:second_step")
ENROL = reverse("accounts:second_step_enrol")
CONSOLE = reverse("moderation:console")
HOME = reverse("frontend:home")


def make(username: str, role: str = Role.CITIZEN) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, display_name=username.title(), role=role)


def sign_in_with_password(client, username: str, next_path: str = CONSOLE):
    return client.post(f"{LOGIN}?next={next_path}", {"username": username, "password": PASSWORD, "next": next_path})


def step(client, code: str, next_path: str = CONSOLE):
    return client.post(STEP, {"code": code, "next": next_path})


def signed_in_as(client) -> User | None:
    user = client.get(HOME).context["user"]
    return user if user.is_authenticated else None


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.MODERATOR, Role.ADMIN])
def test_after_the_password_staff_are_asked_for_the_apps_code(client, role):
    user = make("petugas", role)
    device = give_authenticator(user)
    response = sign_in_with_password(client, "petugas", next_path="/aspirasi/")
    # The password alone leads to the step, not to the page asked for.
    assert client.get(response["Location"])["Location"].startswith(STEP)
    assert client.get("/aspirasi/")["Location"] == f"{STEP}?next=%2Faspirasi%2F"
    page = client.get(f"{STEP}?next=/aspirasi/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()

    response = step(client, totp_code(device), next_path="/aspirasi/")
    assert response.status_code == 302 and response["Location"] == "/aspirasi/"
    assert client.get("/aspirasi/").status_code == 200


def test_a_wrong_code_is_refused_and_leaves_everything_closed(client):
    device = give_authenticator(make("moderator", Role.MODERATOR))
    sign_in_with_password(client, "moderator")
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = step(client, wrong)
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get(CONSOLE)["Location"].startswith(STEP)
    assert client.post(reverse("moderation:claim"), {"queue": "chat"}).status_code == 403


def test_a_code_is_accepted_once(client):
    device = give_authenticator(make("bupati", Role.OFFICIAL))
    code = totp_code(device)
    sign_in_with_password(client, "bupati")
    assert step(client, code).status_code == 302
    client.post(LOGOUT)
    sign_in_with_password(client, "bupati")
    response = step(client, code)  # seen by someone over the shoulder, replayed
    assert response.status_code == 200 and response.context["form"].errors["code"]


def test_the_device_slows_down_after_a_wrong_code(client, settings):
    """django-otp's throttle: right after a wrong code even the right one is refused."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # the wait (1 s by default) outlasts any slow machine here
    device = give_authenticator(make("moderator", Role.MODERATOR))
    sign_in_with_password(client, "moderator")
    step(client, "000000" if totp_code(device) != "000000" else "111111")
    response = step(client, totp_code(device))
    assert response.status_code == 200
    assert client.get(CONSOLE).status_code == 302


def test_wrong_codes_count_as_failed_sign_ins_and_lock_the_account_out(client):
    """django-axes counts the second step's failures with the password's: at
    the limit the session is signed out and the lock-out page shown."""
    device = give_authenticator(make("moderator", Role.MODERATOR))
    sign_in_with_password(client, "moderator")
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    answers = [step(client, wrong) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert [a.status_code for a in answers[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1].status_code == 429
    assert signed_in_as(client) is None
    # The right password is refused too until the lock-out ends.
    assert sign_in_with_password(client, "moderator").status_code == 429


def test_a_recovery_code_works_once(client):
    user = make("admin", Role.ADMIN)
    give_authenticator(user)
    codes = recovery_codes_issue(user=user)
    assert len(codes) == 10 and len(set(codes)) == 10
    sign_in_with_password(client, "admin", next_path="/admin/")
    response = step(client, codes[0].upper(), next_path="/admin/")  # as typed from paper
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    client.post(LOGOUT)

    sign_in_with_password(client, "admin", next_path="/admin/")
    response = step(client, codes[0], next_path="/admin/")
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert client.get("/admin/").status_code == 302
    assert StaticDevice.objects.get(user=user).token_set.count() == 9


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.MODERATOR, Role.ADMIN])
def test_staff_without_an_app_are_sent_to_set_one_up_before_anything_else(client, role):
    make("baru", role)
    sign_in_with_password(client, "baru", next_path=CONSOLE)
    for path in (CONSOLE, "/admin/", HOME, "/akun/profil/", "/notifikasi/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith(ENROL), path
    assert client.post(reverse("moderation:decide"), {}).status_code == 403
    # The step's own page leads to enrolment while there is no app.
    assert client.get(STEP)["Location"].startswith(ENROL)

    page = client.get(f"{ENROL}?next={CONSOLE}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, inline
    device = TOTPDevice.objects.get(user__username="baru", confirmed=False)
    secret = re.search(r'id="enrol-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert base64.b32decode(secret) == device.bin_key  # what the person types by hand

    response = client.post(ENROL, {"code": totp_code(device), "next": CONSOLE})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "no-store" in page["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user__username="baru").confirmed
    # Verified by the enrolment itself: the pages open.
    assert client.get(HOME).status_code == 200
    # The codes are shown that once: the enrolment page now offers a new app, no codes.
    again = client.get(ENROL).content.decode()
    assert not any(code in again for code in codes)


def test_an_enrolment_with_a_wrong_code_turns_nothing_on(client):
    make("baru", Role.MODERATOR)
    sign_in_with_password(client, "baru")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user__username="baru")
    wrong = "000000" if totp_code(device) != "000000" else "111111"
    response = client.post(ENROL, {"code": wrong, "next": CONSOLE})
    assert response.status_code == 200 and response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not StaticDevice.objects.exists()
    assert client.get(CONSOLE)["Location"].startswith(ENROL)


def test_someone_with_only_the_password_cannot_replace_the_app(client):
    device = give_authenticator(make("moderator", Role.MODERATOR))
    sign_in_with_password(client, "moderator")
    response = client.get(ENROL)
    assert response["Location"].startswith(STEP)
    assert client.post(ENROL, {"code": totp_code(device)})["Location"].startswith(STEP)
    assert list(TOTPDevice.objects.values_list("pk", flat=True)) == [device.pk]


def test_citizens_sign_in_with_the_password_alone(client):
    make("siti")
    response = sign_in_with_password(client, "siti", next_path="/akun/profil/")
    assert response["Location"] == "/akun/profil/"
    assert client.get("/akun/profil/").status_code == 200
    assert client.get(ENROL)["Location"] == HOME  # nothing to set up
    assert not TOTPDevice.objects.exists()


def test_a_role_change_rotates_the_session_and_asks_for_the_step(client):
    siti = make("siti")
    sign_in_with_password(client, "siti", next_path=HOME)
    assert client.get(HOME).status_code == 200
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    siti.role = Role.MODERATOR
    siti.save()
    response = client.get(HOME)
    assert response["Location"].startswith(ENROL)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    # The old session key is dead: whoever copied it holds nothing.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store().exists(before)


def test_a_verified_moderator_demoted_and_promoted_again_passes_the_step_again(client):
    mod = make("moderator", Role.MODERATOR)
    client.force_login(mod)  # with the step passed (tests/signin.py)
    assert client.get(CONSOLE).status_code == 200
    mod.role = Role.CITIZEN
    mod.save()
    assert client.get(HOME).status_code == 200
    mod.role = Role.MODERATOR
    mod.save()
    assert client.get(CONSOLE)["Location"].startswith(STEP)


def test_the_step_leads_only_to_this_site(client):
    device = give_authenticator(make("moderator", Role.MODERATOR))
    force_login_unverified(client, User.objects.get(username="moderator"))
    response = step(client, totp_code(device), next_path="https://evil.example/")
    assert response["Location"] == HOME


def test_administrators_manage_devices_without_seeing_keys_or_codes(client):
    moderator = make("moderator", Role.MODERATOR)
    device = give_authenticator(moderator)
    codes = recovery_codes_issue(user=moderator)
    client.force_login(make("admin", Role.ADMIN))
    totp_page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert totp_page.status_code == 200
    assert device.key not in totp_page.content.decode()
    assert client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk])).status_code == 403
    static = StaticDevice.objects.get(user=moderator)
    static_page = client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
    assert static_page.status_code == 200
    assert not any(code in static_page.content.decode() for code in codes)
    # Deleting the app (a lost phone) sends its owner to set up a new one.
    deleted = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert not TOTPDevice.objects.filter(user=moderator).exists()


def test_the_admins_own_sign_in_form_leads_to_the_step_too(client):
    device = give_authenticator(make("admin", Role.ADMIN))
    response = client.post(f"{reverse('admin:login')}?next=/admin/",
                           {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/")["Location"] == f"{STEP}?next=%2Fadmin%2F"
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 302
    step(client, totp_code(device), next_path="/admin/")
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
