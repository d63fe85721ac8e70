"""Forum tests use committed rows (sockets and the live topic read through
other connections). The starter categories and the moderation reasons come
from data migrations, which a transactional flush empties: seeded again for
every test."""

from __future__ import annotations

import importlib

import pytest

from forum.models import Category
from moderation.models import RejectReason
from moderation.screening import forget_blocked_terms

_categories = importlib.import_module("forum.migrations.0002_categories")
_moderation = importlib.import_module("moderation.migrations.0002_starter_lists")


@pytest.fixture(autouse=True)
def starter_data(transactional_db):
    Category.objects.bulk_create(
        [Category(slug=slug, name_id=name_id, name_en=name_en, default_privacy=privacy, position=position)
         for position, (slug, name_id, name_en, privacy) in enumerate(_categories.CATEGORIES)],
        ignore_conflicts=True)
    RejectReason.objects.bulk_create(
        [RejectReason(code=code, label_id=label_id, label_en=label_en, position=position)
         for position, (code, label_id, label_en) in enumerate(_moderation.REASONS)], ignore_conflicts=True)
    forget_blocked_terms()
