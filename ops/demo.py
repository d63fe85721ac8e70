"""The demo data set: fictional people in Pati's real agencies.

``seed_demo`` writes it through each app's services, so re-running it only
brings the records back to this state (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.choices import CitizenCategory, Kecamatan, Role
from accounts.services import user_provision
from chat.services import room_upsert
from officials.models import AgencyKind
from officials.services import agency_upsert

# (slug, name, short name, kind)
AGENCIES = [
    ("setda", "Sekretariat Daerah Kabupaten Pati", "Setda", AgencyKind.SECRETARIAT),
    ("dinkes", "Dinas Kesehatan", "Dinkes", AgencyKind.DINAS),
    ("disdikbud", "Dinas Pendidikan dan Kebudayaan", "Disdikbud", AgencyKind.DINAS),
    ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang", "DPUPR", AgencyKind.DINAS),
    ("dinsos", "Dinas Sosial, Pemberdayaan Perempuan dan Perlindungan Anak", "Dinsos P3A", AgencyKind.DINAS),
    ("dishub", "Dinas Perhubungan", "Dishub", AgencyKind.DINAS),
    ("dlh", "Dinas Lingkungan Hidup", "DLH", AgencyKind.DINAS),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", AgencyKind.DINAS),
    ("dispertan", "Dinas Pertanian", "Dispertan", AgencyKind.DINAS),
    ("diskominfo", "Dinas Komunikasi dan Informatika", "Diskominfo", AgencyKind.DINAS),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah", "Bappeda", AgencyKind.BADAN),
    ("bpbd", "Badan Penanggulangan Bencana Daerah", "BPBD", AgencyKind.BADAN),
    ("bpkad", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD", AgencyKind.BADAN),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    title: str = ""
    agency: str = ""
    category: str = CitizenCategory.UMUM
    kecamatan: str = ""


ACCOUNTS = [
    DemoAccount("bupati", "Hj. Sri Wahyuningsih", Role.OFFICIAL, "Bupati Pati", kecamatan=Kecamatan.PATI),
    DemoAccount("wakilbupati", "Bambang Suryanto", Role.OFFICIAL, "Wakil Bupati Pati", kecamatan=Kecamatan.PATI),
    DemoAccount("sekda", "Ir. Dwi Handayani", Role.OFFICIAL, "Sekretaris Daerah", "setda", kecamatan=Kecamatan.PATI),
    DemoAccount("kadinkes", "dr. Agus Prasetyo", Role.OFFICIAL, "Kepala Dinas Kesehatan", "dinkes",
                kecamatan=Kecamatan.MARGOREJO),
    DemoAccount("kadisdik", "Endang Kusumawati", Role.OFFICIAL, "Kepala Dinas Pendidikan dan Kebudayaan",
                "disdikbud", kecamatan=Kecamatan.JUWANA),
    DemoAccount("kadpupr", "Heru Santoso", Role.OFFICIAL, "Kepala Dinas PUPR", "dpupr", kecamatan=Kecamatan.TAYU),
    DemoAccount("moderator", "Rina Moderator", Role.MODERATOR, kecamatan=Kecamatan.PATI),
    DemoAccount("admin", "Admin Balai Warga", Role.ADMIN, kecamatan=Kecamatan.PATI),
    DemoAccount("warga1", "Siti Aminah", Role.CITIZEN, category=CitizenCategory.UMUM, kecamatan=Kecamatan.JUWANA),
    DemoAccount("warga2", "Budi Hartono", Role.CITIZEN, category=CitizenCategory.BISNIS, kecamatan=Kecamatan.TAYU),
    DemoAccount("warga3", "Dewi Lestari", Role.CITIZEN, category=CitizenCategory.PNS, kecamatan=Kecamatan.KAYEN),
    DemoAccount("warga4", "Joko Susilo", Role.CITIZEN, category=CitizenCategory.PEMERINTAH,
                kecamatan=Kecamatan.SUKOLILO),
    DemoAccount("warga5", "Hiroshi Tanaka", Role.CITIZEN, category=CitizenCategory.WNA, kecamatan=Kecamatan.PATI),
]


@transaction.atomic
def seed_demo(*, password: str) -> dict[str, int]:
    """Write the demo data set; returns counts of what exists afterwards."""
    users = {}
    for account in ACCOUNTS:
        users[account.username], _ = user_provision(
            username=account.username,
            password=password,
            role=account.role,
            display_name=account.display_name,
            title=account.title,
            category=account.category,
            kecamatan=account.kecamatan,
        )
    heads = {account.agency: users[account.username] for account in ACCOUNTS if account.agency}
    for slug, name, short_name, kind in AGENCIES:
        agency_upsert(slug=slug, name=name, short_name=short_name, kind=kind, head=heads.get(slug))
    for kecamatan in Kecamatan:
        agency_upsert(
            slug=f"kecamatan-{kecamatan.value}",
            name=f"Kecamatan {kecamatan.label}",
            short_name=kecamatan.label,
            kind=AgencyKind.KECAMATAN,
        )
    room_upsert(slug="bupati", title="Ruang Bupati", position=1,
                description="Bicara langsung dengan Bupati Pati.")
    room_upsert(slug="wakilbupati", title="Ruang Wakil Bupati", position=2,
                description="Bicara langsung dengan Wakil Bupati Pati.")
    room_upsert(slug="lobi", title="Lobi Warga", position=3,
                description="Ruang umum warga Kabupaten Pati.")
    for position, (slug, name, short_name, _kind) in enumerate(AGENCIES, start=10):
        room_upsert(slug=slug, title=f"Ruang {short_name}", position=position,
                    description=f"Tanya jawab dengan {name}.")
    return {"accounts": len(ACCOUNTS), "agencies": len(AGENCIES), "kecamatan": len(Kecamatan),
            "rooms": 3 + len(AGENCIES)}
