"""Indonesian phone numbers: the shapes people type are accepted and stored
as ``+628…``; garbage is refused with a form error; the owner sees the number
masked and the full number never reaches the HTML."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.validators import mask_phone, normalize_phone

SIGNUP = reverse("accounts:signup")
PROFILE = reverse("accounts:profile")
NORMALISED = "+6281234567890"
# Every way the full number could leak into a page.
FULL_NUMBER_SHAPES = ["6281234567890", "081234567890", "0812-3456-7890", "812 3456 7890", "81234567890"]


@pytest.mark.parametrize("typed", [
    "0812-3456-7890",
    "+62 812 3456 7890",
    "081234567890",
    "6281234567890",
    "+62 (812) 3456.7890",
])
def test_normalize_phone_accepts_the_shapes_people_type(typed):
    assert normalize_phone(typed) == NORMALISED


@pytest.mark.parametrize("garbage", ["hello", "12345", "0212-3456-7890", "+1 415 555 0100", "0812-3456-7890-1234",
                                     "08123456789x"])
def test_normalize_phone_refuses_garbage(garbage):
    with pytest.raises(ValidationError) as info:
        normalize_phone(garbage)
    assert info.value.code == "invalid_phone"


def test_empty_phone_is_allowed():
    assert normalize_phone("") == ""
    assert normalize_phone("  ") == ""


def test_mask_phone_keeps_only_the_ends():
    assert mask_phone(NORMALISED) == "+62 812-****-890"
    assert mask_phone("") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0812-3456-7890", "+62 812 3456 7890"])
def test_signup_stores_the_normalised_phone(client, signup_data, typed):
    response = client.post(SIGNUP, {**signup_data, "phone": typed})
    assert response.status_code == 302
    assert User.objects.get(username=signup_data["username"]).phone == NORMALISED


@pytest.mark.django_db
def test_signup_with_a_garbage_phone_shows_a_form_error(client, signup_data):
    response = client.post(SIGNUP, {**signup_data, "phone": "call me maybe"})
    assert response.status_code == 200
    errors = response.context["form"].errors["phone"]
    assert len(errors) == 1
    assert errors[0] in response.content.decode()
    assert not User.objects.filter(username=signup_data["username"]).exists()


@pytest.mark.django_db
def test_profile_shows_the_phone_masked_and_never_in_full(client):
    user = User.objects.create_user(username="budi", password="pw", display_name="Budi", phone=NORMALISED,
                                    kecamatan="tayu")
    client.force_login(user)
    html = client.get(PROFILE).content.decode()

    assert "+62 812-****-890" in html
    assert NORMALISED not in html
    for shape in FULL_NUMBER_SHAPES:
        assert shape not in html


@pytest.mark.django_db
def test_home_page_never_shows_the_phone(client):
    user = User.objects.create_user(username="budi", password="pw", display_name="Budi", phone=NORMALISED)
    client.force_login(user)
    html = client.get(reverse("frontend:home")).content.decode()
    assert "3456" not in html
