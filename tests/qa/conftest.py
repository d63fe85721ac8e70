"""Q&A session tests use committed rows (threads in the concurrency tests
read through their own connections) and the forum's starter categories."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from officials.services import delegate_add
from tests.forum import factories
from tests.forum.conftest import starter_data  # noqa: F401  (autouse: categories and reasons)
from tests.hub import create_user


@pytest.fixture
def cast():
    setda = factories.agency("setda", "Sekretariat Daerah")
    dpupr = factories.agency()
    bupati = factories.official("bupati", setda, "Bupati")
    wabup = factories.official("wabup", setda, "Wakil Bupati")
    kadis = factories.official("kadpupr", dpupr)  # an official outside the session
    staf1, staf2, staf_kadis = (create_user(name, role=Role.OFFICIAL) for name in ("staf1", "staf2", "stafkadis"))
    delegate_add(official=bupati, staff=staf1)
    delegate_add(official=bupati, staff=staf2)
    delegate_add(official=kadis, staff=staf_kadis)
    return {"setda": setda, "dpupr": dpupr, "bupati": bupati, "wabup": wabup, "kadis": kadis, "staf1": staf1,
            "staf2": staf2, "staf_kadis": staf_kadis, "moderator": create_user("mod", role=Role.MODERATOR),
            "siti": create_user("siti", kecamatan="tayu"), "budi": create_user("budi", kecamatan="pati")}


@pytest.fixture
def live_session(cast):
    """A session of the Bupati and the Wakil Bupati, open now."""
    from qa import services

    now = timezone.now()
    session = services.session_schedule(actor=cast["moderator"], title="Tanya Bupati: jalan desa",
                                        officials=[cast["bupati"], cast["wabup"]], agency=cast["setda"],
                                        starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    services.sessions_tick(now=now)
    session.refresh_from_db()
    return session
