"""What the attack suite shares (issue 14 B): the stored-XSS corpus (data in
``xss_payloads.txt``), the snapshot every case takes before and after an
attack to prove that nothing changed (every table's rows, every Redis key's
value), and the enumeration of the site's URL patterns that the CSRF and IDOR
cases walk, so that a new endpoint is covered (or fails) without anyone
listing it here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.apps import apps
from django.http import HttpResponseForbidden
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

# --- the corpus ---------------------------------------------------------------------------------
CORPUS_FILE = Path(__file__).with_name("xss_payloads.txt")


def xss_payloads() -> list[str]:
    """The known stored-XSS payloads, one a line (``#`` lines are comments)."""
    lines = CORPUS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


#: The mark every payload carries (``__pwned``): a browser running any of
#: them sets ``window.__pwned`` or opens a dialog.
MARK = "__pwned"
#: Attributes whose value a browser loads or runs as a URL.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster", "lowsrc",
                  "dynsrc", "codebase", "to", "values", "from", "by"}
#: Elements that run or load something whatever their attributes say.
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link", "meta",
                   "style", "svg", "math", "isindex", "import", "set", "animate"}
#: ``<script>`` types that are data, never run (``json_script``).
DATA_SCRIPTS = {"application/json", "application/ld+json"}
_URL_NOISE = re.compile(r"[\x00-\x20]")


class _LiveMarkup(HTMLParser):
    """Walks a page as a browser's tokenizer would and collects every place
    where the payload's mark ended up as something that runs: an event
    handler, a ``javascript:``/``data:``/``vbscript:`` URL, a script, style
    or frame element, an ``srcdoc``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None  # the open script element's type, while inside one

    def handle_starttag(self, tag, attrs):
        attrs = [(name.lower(), value or "") for name, value in attrs]
        text = " ".join(f"{n}={v!r}" for n, v in attrs)
        marked = any(MARK in name or MARK in value for name, value in attrs)
        for name, value in attrs:
            if not marked:
                break
            url = _URL_NOISE.sub("", value).lower()
            if (name.startswith("on") or name in ("srcdoc", "style") or tag in ACTIVE_ELEMENTS
                    or (name in URL_ATTRIBUTES and url.startswith(("javascript:", "data:", "vbscript:")))
                    or (tag == "meta" and name == "content")):
                self.found.append(f"<{tag} {text}>")
        if tag in ("script", "style"):
            kind = dict(attrs).get("type", "").lower()
            self._script = "data" if kind in DATA_SCRIPTS else tag

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._script = None

    def handle_data(self, data):
        if self._script in ("script", "style") and MARK[:4] in data:
            self.found.append(f"<{self._script}>{data[:120]}")


def live_markup(html: str) -> list[str]:
    """Where in ``html`` a payload's mark came out as live markup; empty when
    every payload was escaped, stripped or made inert."""
    parser = _LiveMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def formula_cells(rows: list[list[str]]) -> list[str]:
    """CSV cells a spreadsheet would run as a formula (OWASP CSV injection)."""
    return [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


# --- nothing changed ----------------------------------------------------------------------------
#: Redis keys whose value moves by itself or by any request, attack or not:
#: presence heartbeats and socket registries (scored by time), sign-up and
#: other throttles (every attempt counts, by design).
#: The session store's cached copies (``cached_db``) move with the table.
VOLATILE_REDIS = re.compile(
    r"(presence|sockets|guests|throttle|limits|LIMITER|ratelimit|heartbeat|beat|django\.contrib\.sessions)")
#: Tables a refused request may touch: the session store (a signed-in
#: client's session is saved) and the sign-in attempt log (django-axes).
VOLATILE_TABLES = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def _rows(model) -> list[tuple]:
    return list(model._default_manager.order_by("pk").values_list())


def database_state() -> dict[str, list[tuple]]:
    return {model._meta.label_lower: _rows(model) for model in apps.get_models()
            if model._meta.label_lower not in VOLATILE_TABLES and model._meta.managed}


def redis_state(client) -> dict[bytes, bytes]:
    return {name: client.dump(name) for name in sorted(client.keys("*"))
            if not VOLATILE_REDIS.search(name.decode(errors="replace"))}


@dataclass
class Snapshot:
    """Every table's rows and every Redis key's value at one moment."""

    database: dict
    redis: dict

    @classmethod
    def take(cls, redis_client) -> Snapshot:
        return cls(database_state(), redis_state(redis_client))

    def assert_unchanged(self, redis_client, what: str = "the attack") -> None:
        after = Snapshot.take(redis_client)
        changed = [label for label in self.database.keys() | after.database.keys()
                   if self.database.get(label) != after.database.get(label)]
        assert not changed, f"{what} changed the tables {changed}: " + "; ".join(
            f"{label}: {self.database.get(label)!r} -> {after.database.get(label)!r}" for label in changed[:3])
        keys = [name for name in self.redis.keys() | after.redis.keys()
                if self.redis.get(name) != after.redis.get(name)]
        assert not keys, f"{what} changed the Redis keys {sorted(keys)}"


# --- the URL patterns ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route's text when it has no name
    route: str  # the pattern as written, namespaces joined ("aspirasi/<int:pk>/balas/")
    params: tuple[str, ...]  # the names of its arguments
    callback: object


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            params = tuple(a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route))
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or route)
            yield Route(name, route, params, pattern.callback)


def routes() -> list[Route]:
    """Every URL pattern of the site (the admin's included)."""
    return list(_walk(get_resolver().url_patterns))


_ANY_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>([^)]*)\)")


def url_of(route: Route, value: str = "1") -> str:
    """A concrete path for ``route``: each argument ``value`` (``int``
    converters and free regular expressions), ``x1`` (slugs, strings), or the
    first choice of a regular expression listing them (the admin's app
    labels). The patterns' regex anchors and escapes are removed."""

    def fill(match):
        converter, choices = match.group(1), match.group(4)
        if choices and re.fullmatch(r"[\w|-]+", choices):
            return choices.split("|")[0]
        return value if converter in (None, "int", "path") else f"x{value}"

    path = _ANY_PARAM.sub(fill, route.route).replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path.lstrip("/")


def resolves_to(route: Route, path: str) -> bool:
    """Whether ``path`` reaches ``route``'s own view (not a catch-all)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is route.callback


# --- CSRF refusals recognised as such ------------------------------------------------------------
CSRF_REFUSED_HEADER = "X-Test-Csrf-Refused"


def csrf_refused(request, reason: str = ""):
    """Installed as ``CSRF_FAILURE_VIEW`` by the CSRF cases: a 403 that says it is CSRF's."""
    response = HttpResponseForbidden(reason)
    response[CSRF_REFUSED_HEADER] = reason or "refused"
    return response


def is_admin(route: Route) -> bool:
    return route.route.startswith("admin/")
