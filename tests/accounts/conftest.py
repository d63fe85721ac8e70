"""Helpers for the account page tests."""

import pytest

from accounts.choices import CitizenCategory, Kecamatan


@pytest.fixture
def signup_data():
    """A valid sign-up POST; tests change one field at a time."""
    return {
        "username": "sitiaminah",
        "display_name": "Siti Aminah",
        "email": "siti@example.org",
        "category": CitizenCategory.BISNIS,
        "kecamatan": Kecamatan.JUWANA,
        "phone": "",
        "password1": "kopi-tubruk-juwana-77",
        "password2": "kopi-tubruk-juwana-77",
    }
