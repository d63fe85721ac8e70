"""Moderation tests use the hub's socket fixtures, a real Redis and committed
rows (``transactional_db``: threads and sockets read through other
connections). The starter reason and blocklists come from a data migration,
which a transactional flush empties, so every test seeds them again.
``rules/`` tests plain functions and overrides this with no database."""

from __future__ import annotations

import importlib

import pytest

from moderation import screening
from moderation.models import BlockedTerm, RejectReason

_starter = importlib.import_module("moderation.migrations.0002_starter_lists")


@pytest.fixture(autouse=True)
def starter_lists(transactional_db):
    RejectReason.objects.bulk_create(
        [RejectReason(code=code, label_id=label_id, label_en=label_en, position=position)
         for position, (code, label_id, label_en) in enumerate(_starter.REASONS)], ignore_conflicts=True)
    BlockedTerm.objects.bulk_create(
        [BlockedTerm(term=term, language=language) for language, terms in _starter.TERMS.items() for term in terms],
        ignore_conflicts=True)
    # Written behind the rules' back (not through ``rule_save``): this
    # process's copy of the blocklist, kept for ``LOCAL_TERMS_S``, may still be
    # an earlier test's (empty) one.
    screening.forget_blocked_terms()
