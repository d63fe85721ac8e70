"""The people, agencies and categories of the forum's page tests
(tests/forum/test_pages.py, test_photos.py, test_privacy_pages.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.test import Client
from PIL import Image

from accounts.choices import Kecamatan, Role
from accounts.models import User
from forum import services
from forum.models import Aspiration, Category, Privacy, Status
from officials.models import Agency, AgencyKind
from officials.services import official_upsert

PASSWORD = "pw-forum-pages"


@dataclass
class Cast:
    siti: User        # the author
    budi: User        # another citizen
    kadpupr: User     # an official of DPUPR (roads)
    kadinkes: User    # an official of Dinkes (health)
    moderator: User
    dpupr: Agency
    dinkes: Agency
    roads: Category
    health: Category

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def _user(username: str, role: str = Role.CITIZEN, name: str | None = None) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role,
                                    display_name=name or username.title())


def make_cast() -> Cast:
    dpupr = Agency.objects.create(slug="dpupr", name="Dinas Pekerjaan Umum dan Penataan Ruang", short_name="DPUPR",
                                  kind=AgencyKind.DINAS)
    dinkes = Agency.objects.create(slug="dinkes", name="Dinas Kesehatan", short_name="Dinkes", kind=AgencyKind.DINAS)
    kadpupr = _user("kadpupr", Role.OFFICIAL, "Heru Santoso")
    kadinkes = _user("kadinkes", Role.OFFICIAL, "Agus Prasetyo")
    official_upsert(user=kadpupr, title="Kepala Dinas PUPR", agency=dpupr)
    official_upsert(user=kadinkes, title="Kepala Dinas Kesehatan", agency=dinkes)
    roads, _ = Category.objects.update_or_create(slug="jalan-infrastruktur", defaults={
        "name_id": "Jalan dan infrastruktur", "name_en": "Roads and infrastructure", "default_privacy": "public",
        "agency": dpupr, "active": True})
    health, _ = Category.objects.update_or_create(slug="kesehatan", defaults={
        "name_id": "Kesehatan", "name_en": "Health", "default_privacy": "confidential", "agency": dinkes,
        "active": True})
    return Cast(siti=_user("siti", name="Siti Aminah"), budi=_user("budi", name="Budi Hartono"), kadpupr=kadpupr,
                kadinkes=kadinkes, moderator=_user("moderator", Role.MODERATOR, "Rina Moderator"), dpupr=dpupr,
                dinkes=dinkes, roads=roads, health=health)


def submit(cast: Cast, *, author: User | None = None, title: str = "Jalan rusak di Desa Tlogowungu",
           body: str = "Jalan berlubang sepanjang 200 meter.", category: Category | None = None,
           privacy: str | None = Privacy.PUBLIC, kecamatan: str = Kecamatan.TLOGOWUNGU) -> Aspiration:
    return services.aspiration_submit(author=author or cast.siti, title=title, body=body,
                                      category=category or cast.roads, kecamatan=kecamatan, privacy=privacy)


def publish(cast: Cast, aspiration: Aspiration) -> Aspiration:
    return services.status_change(actor=cast.moderator, aspiration_id=aspiration.pk, to_status=Status.VERIFIED)


def forward(cast: Cast, aspiration: Aspiration, agency: Agency | None = None) -> Aspiration:
    return services.status_change(actor=cast.moderator, aspiration_id=aspiration.pk, to_status=Status.FORWARDED,
                                  agency=agency or cast.dpupr)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()
