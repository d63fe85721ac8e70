"""The starter categories of aspirations (SP4N-LAPOR! deadlines: verification
3, follow-up 5, completion 60 working days). Population documents, health and
social assistance start confidential. Administrators edit them and choose
each one's default agency in the admin (seed_demo does it for the demo)."""

from django.db import migrations

CATEGORIES = [
    # slug, Indonesian, English, default privacy
    ("jalan-infrastruktur", "Jalan dan infrastruktur", "Roads and infrastructure", "public"),
    ("kesehatan", "Kesehatan", "Health", "confidential"),
    ("pendidikan", "Pendidikan", "Education", "public"),
    ("adminduk", "Dokumen kependudukan (KTP, KK, akta kelahiran)",
     "Population documents (KTP, KK, birth certificates)", "confidential"),
    ("bansos", "Bantuan sosial", "Social assistance", "confidential"),
    ("lingkungan", "Lingkungan hidup", "Environment", "public"),
    ("ketertiban", "Ketertiban umum", "Public order", "public"),
    ("lainnya", "Lainnya", "Other", "public"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("forum", "Category")
    for position, (slug, name_id, name_en, privacy) in enumerate(CATEGORIES):
        Category.objects.get_or_create(slug=slug, defaults={
            "name_id": name_id, "name_en": name_en, "default_privacy": privacy, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
