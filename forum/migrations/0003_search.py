"""Full-text search of aspirations (title and body); see ``forum/search.py``.

PostgreSQL: a stored generated ``tsvector`` column, ``search_vector``, with
the ``simple`` configuration (PostgreSQL has no Indonesian stemmer; ``simple``
lower-cases and keeps every word, which is honest for Indonesian text), the
title weighted A and the body B, and a GIN index on it. The column is not a
field of the model: Django never reads or writes it, ``forum.search`` queries
it by name.

SQLite (the embedded default): an FTS5 external-content table,
``forum_aspiration_fts``, kept in step with ``forum_aspiration`` by triggers.

Both are created only on their own database (``schema_editor.connection.vendor``).

Caution for later migrations: on PostgreSQL, changing the type of ``title`` or
``body`` (a new ``max_length`` included) is refused while the generated column
depends on them: drop ``search_vector`` first and re-create it with
``POSTGRESQL_FORWARD`` below. On SQLite, a migration that rebuilds
``forum_aspiration`` (most ``AlterField``) drops its triggers: run
``SQLITE_TRIGGERS`` and the ``rebuild`` again afterwards.
``tests/forum/test_search.py`` checks that the triggers exist after all
migrations.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "ALTER TABLE forum_aspiration ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    " setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') ||"
    " setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX forum_asp_search_idx ON forum_aspiration USING gin (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS forum_asp_search_idx",
    "ALTER TABLE forum_aspiration DROP COLUMN IF EXISTS search_vector",
]

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE forum_aspiration_fts USING fts5("
    "title, body, content='forum_aspiration', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER forum_aspiration_fts_ai AFTER INSERT ON forum_aspiration BEGIN"
    " INSERT INTO forum_aspiration_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER forum_aspiration_fts_ad AFTER DELETE ON forum_aspiration BEGIN"
    " INSERT INTO forum_aspiration_fts(forum_aspiration_fts, rowid, title, body)"
    " VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER forum_aspiration_fts_au AFTER UPDATE OF title, body ON forum_aspiration BEGIN"
    " INSERT INTO forum_aspiration_fts(forum_aspiration_fts, rowid, title, body)"
    " VALUES ('delete', old.id, old.title, old.body);"
    " INSERT INTO forum_aspiration_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
SQLITE_REBUILD = "INSERT INTO forum_aspiration_fts(forum_aspiration_fts) VALUES ('rebuild')"
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS forum_aspiration_fts_ai",
    "DROP TRIGGER IF EXISTS forum_aspiration_fts_ad",
    "DROP TRIGGER IF EXISTS forum_aspiration_fts_au",
    "DROP TABLE IF EXISTS forum_aspiration_fts",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, [SQLITE_TABLE, *SQLITE_TRIGGERS, SQLITE_REBUILD])


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_categories")]
    operations = [migrations.RunPython(forward, backward)]
