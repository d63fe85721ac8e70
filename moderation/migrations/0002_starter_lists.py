"""Starter reject/report reasons and blocklists (Indonesian, Javanese, English).
Admins edit both in the admin; this only seeds an empty database."""

from django.db import migrations

REASONS = [
    ("kasar", "Bahasa kasar atau menghina", "Abusive or insulting language"),
    ("hoaks", "Hoaks atau informasi menyesatkan", "Hoax or misleading information"),
    ("data-pribadi", "Memuat data pribadi", "Contains personal data"),
    ("sara", "Ujaran kebencian (SARA)", "Hate speech"),
    ("spam", "Spam atau promosi", "Spam or advertising"),
    ("di-luar-topik", "Di luar topik ruang ini", "Off-topic for this room"),
    ("lainnya", "Alasan lain (lihat catatan)", "Other (see note)"),
]

TERMS = {
    "id": ["anjing", "bangsat", "bajingan", "keparat", "kontol", "memek", "ngentot", "goblok", "tolol",
           "brengsek", "kampret", "perek", "lonte"],
    "jv": ["asu", "jancuk", "diancuk", "cuk", "matamu", "ndasmu"],
    "en": ["fuck", "shit", "bitch", "asshole", "bastard", "cunt", "motherfucker"],
}


def seed(apps, schema_editor):
    RejectReason = apps.get_model("moderation", "RejectReason")
    BlockedTerm = apps.get_model("moderation", "BlockedTerm")
    for position, (code, label_id, label_en) in enumerate(REASONS):
        RejectReason.objects.get_or_create(code=code, defaults={"label_id": label_id, "label_en": label_en,
                                                                 "position": position})
    for language, terms in TERMS.items():
        for term in terms:
            BlockedTerm.objects.get_or_create(term=term, defaults={"language": language})


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
