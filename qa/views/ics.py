"""``/sesi/<id>.ics``: one session as an iCalendar event (the ``icalendar``
library), its times in Asia/Jakarta (WIB), its page's address as URL."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from qa import selectors, wire
from qa.models import SessionStatus

WIB = ZoneInfo("Asia/Jakarta")


def session_ics(request, pk: int):
    session = selectors.session_with_officials(pk=pk)
    if session is None:
        raise Http404
    url = request.build_absolute_uri(reverse("qa:session", args=[pk]))
    officials = wire.session_to_wire(session, waiting=0)["officials"]
    names = ", ".join(f"{o['title']} {o['name']}".strip() for o in officials)
    calendar = Calendar()
    calendar.add("prodid", "-//Balai Warga Kabupaten Pati//Sesi Tanya Jawab//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-timezone", "Asia/Jakarta")
    event = Event()
    event.add("uid", f"sesi-{session.pk}@{request.get_host().split(':')[0]}")
    event.add("dtstamp", session.created_at)
    event.add("dtstart", session.starts_at.astimezone(WIB))
    event.add("dtend", session.ends_at.astimezone(WIB))
    event.add("summary", session.title)
    description = [session.topic] if session.topic else []
    if names:
        description.append(_("With: %(names)s") % {"names": names})
    if session.stream_url:
        description.append(_("Live stream: %(url)s") % {"url": session.stream_url})
    description.append(url)
    event.add("description", "\n\n".join(description))
    event.add("url", url)
    event.add("location", url)
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sesi-{session.pk}.ics"'
    return response
