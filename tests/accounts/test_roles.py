"""A user's role decides ``is_staff`` and ``is_superuser``; nothing else can."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_provision

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("role", "staff", "superuser"), [
    (Role.CITIZEN, False, False),
    (Role.OFFICIAL, False, False),
    (Role.MODERATOR, True, False),
    (Role.ADMIN, True, True),
])
def test_role_derives_staff_and_superuser(role, staff, superuser):
    user, _ = user_provision(username=f"u-{role}", password="pw-1234", role=role, display_name="U")
    user = User.objects.get(pk=user.pk)
    assert user.is_staff is staff
    assert user.is_superuser is superuser


@pytest.mark.parametrize(("role", "admin_status"), [
    (Role.CITIZEN, 302), (Role.OFFICIAL, 302), (Role.MODERATOR, 200), (Role.ADMIN, 200),
])
def test_only_staff_roles_reach_the_admin(client, role, admin_status):
    user, _ = user_provision(username="someone", password="pw-1234", role=role, display_name="Someone")
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == admin_status


def test_admin_role_has_every_permission_and_moderator_none_by_default():
    admin, _ = user_provision(username="adm", password="pw-1234", role=Role.ADMIN, display_name="A")
    moderator, _ = user_provision(username="mod", password="pw-1234", role=Role.MODERATOR, display_name="M")
    assert admin.has_perm("accounts.change_user")
    assert not moderator.has_perm("accounts.change_user")


def test_changing_the_role_changes_the_flags():
    user, _ = user_provision(username="x", password="pw-1234", role=Role.ADMIN, display_name="X")
    user_provision(username="x", password="pw-1234", role=Role.CITIZEN, display_name="X")
    user = User.objects.get(username="x")
    assert not user.is_staff and not user.is_superuser


def test_create_superuser_makes_an_admin():
    user = User.objects.create_superuser("root", "root@example.org", "pw-1234", is_staff=False, is_superuser=False)
    user = User.objects.get(pk=user.pk)
    assert user.role == Role.ADMIN
    assert user.is_staff and user.is_superuser
    assert user.check_password("pw-1234")


def test_createsuperuser_command_makes_an_admin(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-root-5678")
    call_command("createsuperuser", "--no-input", "--username", "root", "--email", "root@example.org", verbosity=0)
    user = User.objects.get(username="root")
    assert user.role == Role.ADMIN
    assert user.is_superuser
    assert user.check_password("pw-root-5678")


def test_create_user_defaults_to_citizen():
    user = User.objects.create_user("warga", "w@example.org", "pw-1234")
    assert user.role == Role.CITIZEN
    assert not user.is_staff and not user.is_superuser
