"""common.sanitize.render_text against known XSS and mutation-XSS payloads:
the output has no tag but <a> and <br>, no attribute but href/rel/target,
only http(s) links, each with rel="nofollow noopener ugc"."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from bleach._vendor import html5lib
from hypothesis import given, settings
from hypothesis import strategies as st

from common.sanitize import LINK_REL, render_text

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    '<img src="x" onerror="alert(\'xss\')">',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><!--</style><img title=\"--&gt;&lt;img src=1 onerror=alert(1)&gt;\">",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<noembed><img title=\"</noembed><img src onerror=alert(1)>\"></noembed>",
    "<xmp><p title=\"</xmp><img src onerror=alert(1)>\"></xmp>",
    "<iframe src=javascript:alert(1)>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\">",
    "<a href=\"javascript:alert(1)\">klik</a>",
    "<a href=javascript&colon;alert(1)>klik</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">klik</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"http://ok.example\" onclick=\"alert(1)\" style=\"position:fixed\">x</a>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "&#x6A;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\"></object>",
    "<embed src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<base href=\"http://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=stylesheet href=http://evil.example/x.css>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version=\"1.0\"?><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)",
    "http://example.com/\"onmouseover=\"alert(1)",
    "http://example.com/'><script>alert(1)</script>",
    "https://example.com/?q=<script>alert(1)</script>",
    "http://example.com/\u2028<script>alert(1)</script>",
    "baris satu\u2028baris dua\u2029<img src=x onerror=alert(1)>",
    "<img src=x\u2028onerror=alert(1)>",
    "<img src=x\u00a0onerror=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=`x` onerror=`alert(1)`>",
    "<a href='http://ok.example' title=\"'><script>alert(1)</script>\">x</a>",
    "<select><template><style><img src=x onerror=alert(1)></style></template></select>",
    "<table><caption><svg><desc><p><style><img src=x onerror=alert(1)>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<math><annotation-xml encoding=\"text/html\"><style><img src=x onerror=alert(1)></style>",
    "<plaintext><img src=x onerror=alert(1)>",
    "\x00<script>alert(1)</script>",
    "<scri\x00pt>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;script&amp;gt;",
]


class Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.comments.append(data)


def elements_as_a_browser_sees_them(output: str) -> list[tuple[str, dict]]:
    """Parse like a browser would (html5lib: the HTML standard's algorithm)."""
    fragment = html5lib.parseFragment(output, treebuilder="etree", namespaceHTMLElements=False)
    return [(el.tag, dict(el.attrib)) for el in fragment.iter() if isinstance(el.tag, str)
            and el is not fragment]


def assert_safe(output: str) -> None:
    collector = Collector()
    collector.feed(output)
    collector.close()
    assert not collector.comments, output
    for tags in (collector.tags, elements_as_a_browser_sees_them(output)):
        for tag, attrs in tags:
            assert tag in {"a", "br"}, output
            assert set(attrs) <= {"href", "rel", "target"}, output
            if tag == "a":
                href = attrs.get("href", "")
                assert href.startswith(("http://", "https://")), output
                assert attrs.get("rel") == LINK_REL, output
                assert attrs.get("target") == "_blank", output
            else:
                assert attrs == {}, output
    # every "<" left is the start of an <a>, </a> or <br>; the rest is escaped text
    rest = output.replace("<br>", "").replace("</a>", "")
    assert rest.count("<") == rest.count("<a href="), output


@pytest.mark.parametrize("payload", PAYLOADS)
def test_known_payloads_render_inert(payload):
    output = render_text(payload)
    assert_safe(output)
    # rendered twice (an edit of an edit) is still inert
    assert_safe(render_text(output))


def test_html_is_shown_as_text_not_dropped():
    assert render_text("<b>Pak</b> & <i>Bu</i>") == "&lt;b&gt;Pak&lt;/b&gt; &amp; &lt;i&gt;Bu&lt;/i&gt;"


def test_javascript_and_data_urls_are_never_links():
    for text in ("javascript:alert(1)", "data:text/html,x", "&#x6A;avascript:alert(1)", "ftp://files.example/x",
                 "vbscript:x", "mailto:bupati@patikab.go.id"):
        assert "<a" not in render_text(text), text


@pytest.mark.parametrize("text, href", [
    ("Info di https://patikab.go.id", "https://patikab.go.id"),
    ("lihat http://dinkes.patikab.go.id/jadwal?desa=Ngagel&minggu=2.", "http://dinkes.patikab.go.id/jadwal?desa=Ngagel&amp;minggu=2"),
    ("(https://example.com/a_b)", "https://example.com/a_b"),
])
def test_plain_urls_become_safe_links(text, href):
    output = render_text(text)
    assert f'href="{href}"' in output, output
    assert f'rel="{LINK_REL}"' in output and 'target="_blank"' in output
    assert output.count("<a ") == 1
    assert_safe(output)


def test_line_breaks_become_br_and_nothing_else():
    assert render_text("satu\ndua\r\ntiga") == "satu<br>dua<br>tiga"
    assert_safe(render_text("a\u2028b\u2029c\n<br onclick=x>"))


TOKENS = list("<>/=\"'` &#;:!-[]?\n\u2028abcdeijlnoprstvx0123456789") + [
    "script", "img", "svg", "math", "style", "onerror", "href", "javascript", "http://", "https://", "&lt;",
    "&#x6A;", "noscript", "a ", "<a href=", "<!--", "-->", "<br>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_any_text_renders_inert(text):
    assert_safe(render_text(text))
