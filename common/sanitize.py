"""The one place user text becomes HTML. Built on bleach (in maintenance mode,
so it stays behind this module).

Users write plain text, never HTML: personal data is masked
(``common.pii``), everything is escaped, then http(s) URLs become links
with ``rel="nofollow noopener ugc"`` and line breaks become ``<br>``. The
output allows only ``a`` (href, rel, target) and ``br``; no ``svg``,
``math``, ``style``, ``noscript`` or raw-text elements can survive.
"""

from __future__ import annotations

import html
from functools import lru_cache

import bleach
from bleach.linkifier import Linker
from markdown_it import MarkdownIt

from common import pii

ALLOWED_TAGS = frozenset({"a", "br"})
ALLOWED_ATTRIBUTES = {"a": ["href", "rel", "target"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https"})
LINK_REL = "nofollow noopener ugc"


def _link_attributes(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href.lower().startswith(("http://", "https://")):
        return None  # not a web link: leave it as text
    attrs[(None, "rel")] = LINK_REL
    attrs[(None, "target")] = "_blank"
    return attrs


_linker = Linker(callbacks=[_link_attributes], skip_tags={"a"}, parse_email=False)
_cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
                          strip=True, strip_comments=True)


@lru_cache(maxsize=256)
def render_text(text: str) -> str:
    """Plain user text -> safe HTML (personal data masked, escaped, linkified,
    line breaks kept). Remembered for the last few texts: a new message is
    rendered by the link rule and again to be stored."""
    escaped = html.escape(pii.mask(text), quote=False)
    linked = _linker.linkify(escaped)
    with_breaks = linked.replace("\r\n", "\n").replace("\n", "<br>")
    return _cleaner.clean(with_breaks)


def count_links(text: str) -> int:
    """How many http(s) links ``render_text`` would make of ``text``."""
    return render_text(text).count("<a ")


# --- a small markdown subset (aspirations and their replies) -----------------------
#: Paragraphs, line breaks, *emphasis*, **strong**, lists, quotes and `code`:
#: what a citizen needs to describe a problem; no headings, images, tables
#: or raw HTML (markdown-it-py escapes it: ``html`` is off in its "zero" preset).
MARKDOWN_TAGS = ALLOWED_TAGS | {"p", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre"}
_markdown = MarkdownIt("zero", {"breaks": True}).enable(
    ["emphasis", "list", "blockquote", "backticks", "fence", "newline"])
_markdown_cleaner = bleach.Cleaner(tags=MARKDOWN_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
                                   strip=True, strip_comments=True)


def render_markdown(text: str, *, mask: bool = True) -> str:
    """User markdown (the subset above) -> safe HTML, through the same link
    rule and cleaner as plain text. ``mask``: personal data masked (what the
    public sees); unmasked only for the author, moderators and the
    responsible agency."""
    source = pii.mask(text) if mask else text
    return _markdown_cleaner.clean(_linker.linkify(_markdown.render(source)))
