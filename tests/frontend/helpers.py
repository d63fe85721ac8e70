"""Helpers for page tests: reading what a page hands to its scripts."""

from __future__ import annotations

import json


def json_script(response, element_id: str) -> dict:
    """The value a page passes to JavaScript in ``{{ value|json_script:"element_id" }}``."""
    html = response.content.decode()
    start = html.index(">", html.index(f'<script id="{element_id}" type="application/json"')) + 1
    return json.loads(html[start:html.index("</script>", start)])
