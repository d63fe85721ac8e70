"""Every read of rooms and messages."""

from __future__ import annotations

from django.db import connection

from chat.models import Message, MessageStatus, Room

#: Messages sent on join when the client has none (``since`` null).
INITIAL_PAGE = 50
#: At most this many missed messages are replayed on join.
MAX_REPLAY = 200


def _one(rows):
    """The single row a unique lookup finds, or ``None``. Unlike ``.first()``
    it adds no ``ORDER BY id``, which can lead SQLite to walk the whole table
    in id order instead of using the unique index."""
    found = list(rows.order_by()[:1])
    return found[0] if found else None


def room_get(*, slug: str) -> Room | None:
    return _one(Room.objects.filter(slug=slug))


def room_for_send(*, slug: str, author_id: int, client_id: str) -> tuple[Room | None, int | None]:
    """The room, and the id of the message this author already stored under
    ``client_id`` there (a retry), in one query. Read on every send, so the
    SQL is written out: building it with the ORM cost more than running it."""
    quote = connection.ops.quote_name
    sql = (f"SELECT r.*, (SELECT m.id FROM {quote(Message._meta.db_table)} m WHERE m.room_id = r.id"
           f" AND m.author_id = %s AND m.client_id = %s LIMIT 1) AS stored_id"
           f" FROM {quote(Room._meta.db_table)} r WHERE r.slug = %s")
    client = Message._meta.get_field("client_id").get_db_prep_value(client_id, connection)
    rooms = list(Room.objects.raw(sql, [author_id, client, slug]))
    return (rooms[0], rooms[0].stored_id) if rooms else (None, None)


def message_full(*, pk: int) -> Message:
    return Message.objects.select_related("author", "reply_to", "room").get(pk=pk)


def room_list(*, user) -> list[Room]:
    """Rooms the user may open: public ones, and all of them when signed in;
    never the rooms embedded in another page (``Room.page_url``)."""
    rooms = Room.objects.filter(page_url="")
    if not user.is_authenticated:
        rooms = rooms.filter(is_public=True)
    return list(rooms)


def _visible(room_id: int):
    return (Message.objects.filter(room_id=room_id, seq__isnull=False)
            .select_related("author", "reply_to", "room"))


def room_last_seq(*, room_id: int) -> int:
    return Room.objects.values_list("last_seq", flat=True).get(pk=room_id)


def room_marks(*, room_id: int) -> tuple[int, int]:
    """``(last visible id, last revision)`` of a room, read together."""
    return Room.objects.values_list("last_seq", "last_rev").get(pk=room_id)


def messages_changed(*, room_id: int, upto: int, since_rev: int, until_rev: int) -> list[Message]:
    """Messages with id ≤ ``upto`` changed (edited, deleted, hidden, restored)
    after revision ``since_rev``, oldest change first, at most ``MAX_REPLAY``."""
    return list(_visible(room_id).filter(seq__lte=upto, rev__gt=since_rev, rev__lte=until_rev)
                .order_by("rev")[:MAX_REPLAY])


def messages_after(*, room_id: int, since: int | None, last_id: int | None = None) -> tuple[list[Message], int, bool]:
    """Visible messages after ``since`` (``None``: the latest page), oldest
    first, capped at ``MAX_REPLAY`` newest; returns ``(messages, last_id, has_more)``.

    ``last_id`` is read first (or given) and bounds the query, so a message
    committed meanwhile is never skipped: it arrives as a live event instead.
    """
    if last_id is None:
        last_id = room_last_seq(room_id=room_id)
    limit = INITIAL_PAGE if since is None else MAX_REPLAY
    rows = _visible(room_id).filter(seq__lte=last_id)
    if since is not None:
        rows = rows.filter(seq__gt=since)
    page = list(rows.order_by("-seq")[: limit + 1])
    has_more = len(page) > limit
    return page[:limit][::-1], last_id, has_more


def messages_before(*, room_id: int, before: int, limit: int) -> tuple[list[Message], bool]:
    page = list(_visible(room_id).filter(seq__lt=before).order_by("-seq")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


def message_by_client_id(*, room_id: int, author_id: int, client_id: str) -> Message | None:
    # Almost every send is new: a bare index probe first, the full row only
    # for a retry.
    found = list(Message.objects.filter(room_id=room_id, author_id=author_id, client_id=client_id)
                 .order_by().values_list("pk", flat=True)[:1])
    return message_full(pk=found[0]) if found else None


def author_record(*, author_id: int, text: str, since=None, count_published: bool = False) -> tuple[bool, int]:
    """What the auto-moderation needs of an author's past, in one query read
    on every send: did they send ``text`` (any case, as ``iexact``) since
    ``since`` (``None``: not asked), and, if asked, how many of their messages
    are published."""
    if since is None and not count_published:
        return False, 0
    ops = connection.ops
    columns, where, params = [], ["author_id = %s"], []
    if since is not None:
        columns.append("COUNT(CASE WHEN created_at >= %s AND UPPER(body) = UPPER(%s) THEN 1 END)")
        params += [ops.adapt_datetimefield_value(since), text]
    else:
        columns.append("0")
    if count_published:
        columns.append("COUNT(CASE WHEN status = %s THEN 1 END)")
        params.append(MessageStatus.PUBLISHED.value)
    else:
        columns.append("0")
        where.append("created_at >= %s")
    params.append(author_id)
    if not count_published:
        params.append(ops.adapt_datetimefield_value(since))
    sql = f"SELECT {', '.join(columns)} FROM {ops.quote_name(Message._meta.db_table)} WHERE {' AND '.join(where)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        repeated, published = cursor.fetchone()
    return bool(repeated), int(published)


def message_by_seq(*, room_id: int, seq: int) -> Message | None:
    return _one(_visible(room_id).filter(seq=seq))


def held_by_author(*, room_id: int, author_id: int) -> list[Message]:
    return list(Message.objects.filter(room_id=room_id, author_id=author_id, status=MessageStatus.HELD)
                .select_related("room").order_by("id"))


def message_pk_by_seq(*, room_slug: str, seq: int) -> int | None:
    """The primary key of the message a room page shows as ``seq``."""
    return Message.objects.filter(room__slug=room_slug, seq=seq).values_list("pk", flat=True).first()


def messages_around(*, message: Message, count: int) -> list[Message]:
    """Up to ``count`` visible messages either side of ``message`` (before it
    only, for one not visible yet), in order: what a moderator reads it in."""
    visible = (Message.objects.filter(room_id=message.room_id, seq__isnull=False, deleted_at__isnull=True)
               .select_related("author"))
    if message.seq is not None:
        return list(visible.filter(seq__gte=message.seq - count, seq__lte=message.seq + count)
                    .exclude(pk=message.pk).order_by("seq"))
    return list(visible.filter(created_at__lte=message.created_at).order_by("-seq")[:count])[::-1]
