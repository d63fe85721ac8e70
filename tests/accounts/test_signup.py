"""Sign-up page: /akun/daftar/ always makes a signed-in citizen."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")


def test_signup_page_renders_the_form(client):
    response = client.get(SIGNUP)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("username", "display_name", "category", "kecamatan", "phone", "password1", "password2"):
        assert f'name="{name}"' in html
    assert 'name="role"' not in html


def test_signup_creates_a_signed_in_citizen(client, signup_data):
    response = client.post(SIGNUP, signup_data)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:home")

    user = User.objects.get(username="sitiaminah")
    assert user.role == Role.CITIZEN
    assert user.display_name == "Siti Aminah"
    assert user.category == signup_data["category"]
    assert user.kecamatan == signup_data["kecamatan"]
    assert user.check_password(signup_data["password1"])

    home = client.get(reverse("frontend:home"))
    assert home.context["user"] == user
    assert "Siti Aminah" in home.content.decode()


@pytest.mark.parametrize("smuggled", [
    {"role": Role.ADMIN},
    {"role": Role.OFFICIAL},
    {"role": Role.MODERATOR, "is_staff": "on", "is_superuser": "on", "title": "Bupati Pati"},
])
def test_signup_ignores_a_smuggled_role(client, signup_data, smuggled):
    response = client.post(SIGNUP, {**signup_data, **smuggled})
    assert response.status_code == 302
    user = User.objects.get(username="sitiaminah")
    assert user.role == Role.CITIZEN
    assert not user.is_staff
    assert not user.is_superuser
    assert user.title == ""


@pytest.mark.parametrize("taken", ["sitiaminah", "SitiAminah"])
def test_signup_of_an_existing_username_says_it_is_taken(client, signup_data, taken):
    User.objects.create_user(username="sitiaminah", password="x", display_name="The first Siti")
    response = client.post(SIGNUP, {**signup_data, "username": taken})

    assert response.status_code == 200
    errors = response.context["form"].errors["username"]
    assert len(errors) == 1
    assert errors[0] in response.content.decode()
    assert User.objects.filter(username__iexact="sitiaminah").count() == 1
    assert not response.context["user"].is_authenticated


def test_signup_with_mismatched_passwords_creates_nobody(client, signup_data):
    response = client.post(SIGNUP, {**signup_data, "password2": "something-else-99"})
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(username="sitiaminah").exists()


def test_signed_in_user_visiting_signup_goes_home(client, signup_data):
    client.post(SIGNUP, signup_data)
    response = client.get(SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:home")
