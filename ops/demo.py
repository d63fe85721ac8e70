"""The demo data set: fictional people in Pati's real agencies.

``seed_demo`` writes it through each app's services, so re-running it only
brings the records back to this state (idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.choices import CitizenCategory, Kecamatan, Role
from accounts.services import user_provision
from chat.services import room_upsert
from officials.models import Agency, AgencyKind
from officials.services import agency_upsert, delegate_add, official_upsert

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
    #: A staff account named a delegate of this official (answers on their behalf), not an official itself.
    delegate_of: str = ""


ACCOUNTS = [
    DemoAccount("bupati", "Hj. Sri Wahyuningsih", Role.OFFICIAL, "Bupati Pati", kecamatan=Kecamatan.PATI),
    DemoAccount("wakilbupati", "Bambang Suryanto", Role.OFFICIAL, "Wakil Bupati Pati", kecamatan=Kecamatan.PATI),
    DemoAccount("sekda", "Ir. Dwi Handayani", Role.OFFICIAL, "Sekretaris Daerah", "setda", kecamatan=Kecamatan.PATI),
    DemoAccount("kadinkes", "dr. Agus Prasetyo", Role.OFFICIAL, "Kepala Dinas Kesehatan", "dinkes",
                kecamatan=Kecamatan.MARGOREJO),
    DemoAccount("kadisdik", "Endang Kusumawati", Role.OFFICIAL, "Kepala Dinas Pendidikan dan Kebudayaan",
                "disdikbud", kecamatan=Kecamatan.JUWANA),
    DemoAccount("kadpupr", "Heru Santoso", Role.OFFICIAL, "Kepala Dinas PUPR", "dpupr", kecamatan=Kecamatan.TAYU),
    DemoAccount("stafbupati", "Rahmat Hidayat", Role.OFFICIAL, "Staf Protokol Bupati", kecamatan=Kecamatan.PATI,
                delegate_of="bupati"),
    DemoAccount("moderator", "Rina Moderator", Role.MODERATOR, kecamatan=Kecamatan.PATI),
    DemoAccount("admin", "Admin Balai Warga", Role.ADMIN, kecamatan=Kecamatan.PATI),
    DemoAccount("warga1", "Siti Aminah", Role.CITIZEN, category=CitizenCategory.UMUM, kecamatan=Kecamatan.JUWANA),
    DemoAccount("warga2", "Budi Hartono", Role.CITIZEN, category=CitizenCategory.BISNIS, kecamatan=Kecamatan.TAYU),
    DemoAccount("warga3", "Dewi Lestari", Role.CITIZEN, category=CitizenCategory.PNS, kecamatan=Kecamatan.KAYEN),
    DemoAccount("warga4", "Joko Susilo", Role.CITIZEN, category=CitizenCategory.PEMERINTAH,
                kecamatan=Kecamatan.SUKOLILO),
    DemoAccount("warga5", "Hiroshi Tanaka", Role.CITIZEN, category=CitizenCategory.WNA, kecamatan=Kecamatan.PATI),
]


def seed_demo(*, password: str) -> dict[str, int]:
    """Write the demo data set; returns counts of what exists afterwards.
    The Q&A sessions come after the rest is committed: their questions go
    through moderation's queue, whose Redis stream is written on commit."""
    counts = _seed_people_and_places(password=password)
    counts["sessions"] = _seed_sessions()
    return counts


@transaction.atomic
def _seed_people_and_places(*, password: str) -> dict[str, int]:
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
    for account in ACCOUNTS:
        if account.role == Role.OFFICIAL and not account.delegate_of:
            agency = Agency.objects.filter(slug=account.agency).first() if account.agency else None
            official_upsert(user=users[account.username], title=account.title, agency=agency)
    for account in ACCOUNTS:
        if account.delegate_of:
            delegate_add(official=users[account.delegate_of], staff=users[account.username])
    aspirations = _seed_forum(users)
    return {"accounts": len(ACCOUNTS), "agencies": len(AGENCIES), "kecamatan": len(Kecamatan),
            "rooms": 3 + len(AGENCIES), "aspirations": aspirations}


# --- the aspiration forum -------------------------------------------------------------------
#: Each category's default agency (public order: Satpol PP when the regency has one, else the Setda).
CATEGORY_AGENCIES = {
    "jalan-infrastruktur": "dpupr", "kesehatan": "dinkes", "pendidikan": "disdikbud", "adminduk": "disdukcapil",
    "bansos": "dinsos", "lingkungan": "dlh", "ketertiban": ("satpolpp", "setda"), "lainnya": "setda",
}


@dataclass(frozen=True)
class DemoAspiration:
    title: str
    body: str
    author: str
    category: str
    kecamatan: str
    #: The path through the lifecycle: (status, actor, agency slug or "", reason).
    steps: tuple = ()
    privacy: str | None = None
    desa: str = ""
    #: Calendar days the whole story is moved back (the demo only).
    days_ago: int = 0
    #: Replies: (author, text, official answer?).
    replies: tuple = ()
    rating: tuple | None = None
    supporters: tuple = ()


VERIFY = ("verified", "moderator", "", "")


def _forward(agency: str) -> tuple:
    return ("forwarded", "moderator", agency, "")


DEMO_ASPIRATIONS = [
    DemoAspiration(
        "Jalan Pati–Tayu berlubang di Desa Bulumanis", "Lubang besar di **jalan provinsi** dekat SD Bulumanis "
        "Lor membahayakan pengendara motor, terutama malam hari.", "warga2", "jalan-infrastruktur",
        Kecamatan.MARGOYOSO, desa="Bulumanis Lor", steps=(VERIFY, _forward("dpupr")), days_ago=20,
        supporters=("warga1", "warga3", "warga4")),
    DemoAspiration(
        "Lampu penerangan jalan mati di Jalan Juwana–Rembang", "Sudah dua minggu lampu jalan mati sepanjang 500 "
        "meter. Mohon segera diperbaiki.", "warga1", "jalan-infrastruktur", Kecamatan.JUWANA,
        steps=(VERIFY, _forward("dpupr"), ("answered", "kadpupr", "", "")),
        replies=(("kadpupr", "Terima kasih. Tim kami menjadwalkan penggantian lampu pekan ini.", True),
                 ("warga1", "Terima kasih, kami tunggu.", False)), days_ago=6, supporters=("warga2",)),
    DemoAspiration(
        "Sekolah dasar kekurangan guru kelas", "SD Negeri 2 Kayen hanya punya 4 guru untuk 6 kelas.", "warga3",
        "pendidikan", Kecamatan.KAYEN,
        steps=(VERIFY, _forward("disdikbud"), ("answered", "kadisdik", "", ""), ("done", "warga3", "", "")),
        replies=(("kadisdik", "Dua guru PPPK ditempatkan di SD Negeri 2 Kayen mulai bulan depan.", True),),
        rating=(5, "Cepat dan jelas, terima kasih."), days_ago=30),
    DemoAspiration(
        "Sampah menumpuk di pasar Tayu", "Tumpukan sampah di sisi timur Pasar Tayu tidak diangkut sejak Senin.",
        "warga2", "lingkungan", Kecamatan.TAYU,
        steps=(VERIFY, _forward("setda"), ("answered", "sekda", "", ""), ("done", "warga2", "", "")),
        replies=(("sekda", "DLH sudah mengangkut sampah dan menambah jadwal pengangkutan.", True),),
        rating=(3, "Sudah diangkut, tapi menumpuk lagi."), days_ago=25),
    DemoAspiration(
        "Antrean layanan puskesmas terlalu lama", "Saya menunggu 4 jam di puskesmas. Nomor HP saya 0812-3456-7890 "
        "bila perlu konfirmasi.", "warga4", "kesehatan", Kecamatan.SUKOLILO, steps=(VERIFY, _forward("dinkes")),
        days_ago=15),
    DemoAspiration(
        "Bantuan sosial belum cair", "Keluarga kami terdaftar DTKS tetapi bantuan belum diterima tiga bulan.",
        "warga1", "bansos", Kecamatan.JUWANA, privacy="anonymous", steps=(VERIFY,), days_ago=1),
    DemoAspiration(
        "Akta kelahiran belum jadi", "Pengajuan akta kelahiran anak saya sudah sebulan belum selesai.", "warga5",
        "adminduk", Kecamatan.PATI),
    DemoAspiration(
        "Balapan liar di alun-alun setiap malam Minggu", "Mohon penertiban balapan liar yang mengganggu warga.",
        "warga4", "ketertiban", Kecamatan.PATI, steps=(("rejected", "moderator", "", "Sudah ditangani di "
                                                         "aspirasi lain tentang balapan liar."),)),
    DemoAspiration(
        "Usulan taman baca di balai desa", "Kami mengusulkan taman baca di balai Desa Gembong.", "warga3",
        "lainnya", Kecamatan.GEMBONG, privacy="anonymous", steps=(VERIFY, _forward("setda")), days_ago=2),
]


def _seed_forum(users: dict) -> int:
    """The demo's aspirations, one in each status, written through the forum's
    services; each is created once (found again by its title)."""
    from forum import services as forum
    from forum.models import ASPIRATION_TARGET, HELD_QUEUE, Aspiration, Category, TimelineEntry
    from moderation.models import ItemStatus, QueueItem

    for slug, agency_slug in CATEGORY_AGENCIES.items():
        category = Category.objects.filter(slug=slug).first()
        choices = agency_slug if isinstance(agency_slug, tuple) else (agency_slug,)
        agency = next(filter(None, (Agency.objects.filter(slug=choice).first() for choice in choices)), None)
        if category is not None and category.agency_id != (agency.pk if agency else None):
            forum.category_set_agency(category=category, agency=agency)
    for demo in DEMO_ASPIRATIONS:
        author = users[demo.author]
        if Aspiration.objects.filter(author=author, title=demo.title).exists():
            continue
        category = Category.objects.filter(slug=demo.category).first()
        if category is None:
            continue
        aspiration = forum.aspiration_submit(author=author, title=demo.title, body=demo.body, category=category,
                                             kecamatan=demo.kecamatan, desa=demo.desa, privacy=demo.privacy)
        for to_status, actor, agency_slug, reason in demo.steps:
            forum.status_change(actor=users[actor], aspiration_id=aspiration.pk, to_status=to_status, reason=reason,
                                agency=Agency.objects.filter(slug=agency_slug).first() if agency_slug else None)
            if to_status in ("verified", "rejected"):
                # Decided here, not in the console: close its review item so the
                # console does not offer it again (the demo only).
                QueueItem.objects.filter(queue=HELD_QUEUE, target_kind=ASPIRATION_TARGET, target_id=aspiration.pk,
                                         status=ItemStatus.PENDING).update(
                    status=ItemStatus.APPROVED if to_status == "verified" else ItemStatus.REJECTED,
                    decided_by=users["moderator"], decided_at=timezone.now())
            if to_status == "forwarded":
                for author_name, text, official in demo.replies:
                    if official:
                        forum.reply_post(user=users[author_name], aspiration_id=aspiration.pk, body=text)
        for author_name, text, official in demo.replies:
            if not official:
                forum.reply_post(user=users[author_name], aspiration_id=aspiration.pk, body=text)
        for supporter in demo.supporters:
            forum.support_toggle(user=users[supporter], aspiration_id=aspiration.pk)
        if demo.rating:
            forum.aspiration_rate(user=author, aspiration_id=aspiration.pk, rating=demo.rating[0],
                                  comment=demo.rating[1])
        if demo.days_ago:
            # The demo alone moves its stories back in time, directly in the
            # table (no service sets a past date): the deadlines move with
            # them, so some are overdue. Everything else went through services.
            shift = timedelta(days=demo.days_ago)
            row = Aspiration.objects.get(pk=aspiration.pk)
            fields = {name: getattr(row, name) - shift for name in (
                "created_at", "due_at", "verified_at", "first_response_at", "answered_at", "done_at")
                if getattr(row, name) is not None}
            Aspiration.objects.filter(pk=row.pk).update(**fields)
            for entry in TimelineEntry.objects.filter(aspiration=row):
                TimelineEntry.objects.filter(pk=entry.pk).update(created_at=entry.created_at - shift)
    return Aspiration.objects.filter(title__in=[demo.title for demo in DEMO_ASPIRATIONS]).count()


# --- the officials' Q&A sessions ----------------------------------------------------------------
LIVE_TITLE = "Tanya Bupati: jalan, air bersih dan layanan kesehatan"
UPCOMING_TITLE = "Dialog Wakil Bupati: UMKM dan pasar rakyat"
#: The live session's questions: (asker, text, anonymous, approved, supporters); the first is answered.
DEMO_QUESTIONS = [
    ("warga1", "Kapan jalan Juwana–Rembang yang berlubang diperbaiki? Sudah banyak pengendara jatuh.", False,
     True, ("warga3",)),
    ("warga2", "Apakah ada program air bersih untuk desa-desa di Tayu yang kekeringan setiap kemarau?", False,
     True, ("warga1", "warga3", "warga4", "warga5")),
    ("warga3", "Bagaimana cara mendaftar BPJS gratis bagi keluarga yang belum terdaftar?", True, True,
     ("warga4", "warga5")),
    ("warga4", "Mohon penambahan bidan desa di Sukolilo, puskesmas terlalu jauh.", False, False, ()),
    ("warga5", "Bisakah layanan KTP elektronik dibuka hari Sabtu?", False, False, ()),
]
ANSWER = ("Terima kasih. DPUPR menjadwalkan penambalan jalan Juwana–Rembang mulai pekan depan; "
          "perbaikan menyeluruh masuk anggaran tahun depan.")
FOLLOWERS = ("warga1", "warga2", "warga3", "warga4")


def _user(username: str):
    from accounts.models import User

    return User.objects.get(username=username)


def _approve(moderator, message_ids: set[int]) -> None:
    """Approve these held questions as the moderators' console does: claim
    the next item of the ``chat`` queue until each of ours came up (an older
    item claimed on the way is left to the claim timeout)."""
    from moderation.models import ItemStatus, QueueItem
    from moderation.services import item_claim_next, item_decide

    wanted = set(QueueItem.objects.filter(queue="chat", target_kind="chat.message", target_id__in=message_ids,
                                          status=ItemStatus.PENDING).values_list("pk", flat=True))
    for _attempt in range(len(wanted) + 100):
        if not wanted:
            return
        item = item_claim_next(moderator=moderator, queue="chat")
        if item is None:
            return
        if item.pk in wanted:
            item_decide(moderator=moderator, item_id=item.pk, action="approve")
            wanted.discard(item.pk)


def _seed_sessions() -> int:
    """A live session of the Bupati (opened now by the Bupati, with approved
    and pending questions, supports, one answered by the Bupati's delegate)
    and one of the Wakil Bupati tomorrow at 10:00 WIB, followed by four
    citizens. Through the services, as people would; a session that is
    still live or upcoming is kept, one that has ended gives way to a new
    one (the old stays in the schedule as a past session)."""
    from qa import services as qa
    from qa.models import Session, SessionStatus

    now = timezone.now()
    bupati, wabup, moderator = _user("bupati"), _user("wakilbupati"), _user("moderator")
    setda = Agency.objects.filter(slug="setda").first()
    if not Session.objects.filter(title=LIVE_TITLE, status=SessionStatus.LIVE).exists():
        start = now.replace(second=0, microsecond=0)
        session = qa.session_schedule(actor=moderator, title=LIVE_TITLE, officials=[bupati], agency=setda,
                                      starts_at=start, ends_at=start + timedelta(hours=1),
                                      topic="Bupati menjawab langsung pertanyaan warga tentang jalan, air "
                                            "bersih dan layanan kesehatan.")
        qa.session_open_early(actor=bupati, session_id=session.pk)
        questions = [(qa.question_ask(user=_user(asker), session_id=session.pk, body=text, anonymous=anonymous),
                      approved, supporters) for asker, text, anonymous, approved, supporters in DEMO_QUESTIONS]
        _approve(moderator, {question.message_id for question, approved, _s in questions if approved})
        for question, approved, supporters in questions:
            for supporter in supporters if approved else ():
                qa.vote_toggle(user=_user(supporter), question_id=question.pk)
        qa.question_answer(user=_user("stafbupati"), session_id=session.pk, question_id=questions[0][0].pk,
                           text=ANSWER, on_behalf_of=bupati.pk)
    upcoming = Session.objects.filter(title=UPCOMING_TITLE, status=SessionStatus.SCHEDULED,
                                      starts_at__gt=now).first()
    if upcoming is None:
        start = (timezone.localtime(now) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
        upcoming = qa.session_schedule(actor=moderator, title=UPCOMING_TITLE, officials=[wabup], agency=setda,
                                       starts_at=start, ends_at=start + timedelta(hours=1),
                                       topic="Wakil Bupati berdialog dengan pelaku UMKM tentang pasar rakyat, "
                                             "perizinan dan permodalan.")
    for follower in FOLLOWERS:
        qa.session_follow(user=_user(follower), session_id=upcoming.pk)
    return Session.objects.filter(title__in=[LIVE_TITLE, UPCOMING_TITLE],
                                  status__in=[SessionStatus.LIVE, SessionStatus.SCHEDULED]).count()
