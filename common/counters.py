"""Counters kept on a row (a room's last id, a session's revision, a
question's votes), moved and read in one statement.

``add_returning`` is ``UPDATE … SET col = col + step … RETURNING col`` where
the database has ``RETURNING`` (PostgreSQL, SQLite ≥ 3.35): it takes the
row's lock as the update it is, instead of an update and a read after it
(or a locking read and an update) — on every message sent, every vote and
every ranking frame, one round trip less (docs/performance.md, "Cheaper
sends and joins", "The session's frames"). On an older SQLite it is a
locking read and an update, with the same result.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model


def add_returning(model: type[Model], pk: int, **steps: int) -> tuple[int, ...]:
    """Add ``steps`` (``column=step``) to the row ``pk`` of ``model``; its
    new values, in the order given. Call inside a transaction: the row stays
    locked until commit, so values taken this way follow commit order."""
    if not steps:
        raise ValueError("nothing to add")
    meta = model._meta
    columns = [meta.get_field(name).column for name in steps]
    if connection.features.can_return_columns_from_insert:  # RETURNING is there
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(column)} = {quote(column)} + %s" for column in columns)
        returned = ", ".join(quote(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {quote(meta.db_table)} SET {sets} "  # noqa: S608 - names from the model, not input
                           f"WHERE {quote(meta.pk.column)} = %s RETURNING {returned}", [*steps.values(), pk])
            row = cursor.fetchone()
        if row is None:
            raise model.DoesNotExist(f"{meta.label} {pk}")
        return tuple(row)
    row = model.objects.select_for_update().values_list(*steps).get(pk=pk)  # an older SQLite
    values = tuple(value + step for value, step in zip(row, steps.values(), strict=True))
    model.objects.filter(pk=pk).update(**dict(zip(steps, values, strict=True)))
    return values
