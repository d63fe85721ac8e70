"""Delegates: staff accounts acting on an official's behalf."""

from __future__ import annotations

import pytest

from common.errors import AppError
from officials.selectors import acts_for
from officials.services import delegate_add, delegate_remove


def test_acts_for_is_oneself_and_whom_one_is_a_delegate_of(cast):
    assert acts_for(cast["bupati"]) == {cast["bupati"].pk}
    assert acts_for(cast["staf1"]) == {cast["bupati"].pk}
    assert acts_for(cast["siti"]) == set()
    delegate_add(official=cast["wabup"], staff=cast["staf1"])
    delegate_add(official=cast["wabup"], staff=cast["staf1"])  # idempotent
    assert acts_for(cast["staf1"]) == {cast["bupati"].pk, cast["wabup"].pk}
    assert delegate_remove(official=cast["bupati"], staff=cast["staf1"]) is True
    assert delegate_remove(official=cast["bupati"], staff=cast["staf1"]) is False
    assert acts_for(cast["staf1"]) == {cast["wabup"].pk}


@pytest.mark.parametrize("official, staff", [("bupati", "siti"), ("siti", "staf1"), ("bupati", "bupati")])
def test_a_delegate_is_another_staff_account_of_an_official(cast, official, staff):
    with pytest.raises(AppError) as refused:
        delegate_add(official=cast[official], staff=cast[staff])
    assert refused.value.code == "invalid"
