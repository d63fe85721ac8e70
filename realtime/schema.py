"""The hub's wire protocol as JSON Schema: the core's frames
(``realtime/schema.json``) and one fragment per topic kind (``chat/schema.json``
…), registered with the kind. The hub validates each client frame a kind
handles against the kind's own definition (``client.<type>``) before the
kind sees it; the tests validate every frame in both directions against the
whole (``server_frame_validator``/``client_frame_validator``).

A fragment's relative ``$ref`` (``realtime-hub.json#/$defs/id``) resolves
against the core document, so kinds reuse the core's definitions.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

CORE_PATH = Path(__file__).with_name("schema.json")

_documents: dict[str, dict] = {}
_registry: list[Registry] = [Registry()]


def _add(document: dict) -> str:
    Draft202012Validator.check_schema(document)
    uri = document["$id"]
    _documents[uri] = document
    _registry[0] = _registry[0].with_resource(uri, Resource.from_contents(document))
    _validator.cache_clear()
    _any_of.cache_clear()
    return uri


def core() -> dict:
    if not _documents:
        _add(json.loads(CORE_PATH.read_text()))
    return next(iter(_documents.values()))


def add_fragment(path: Path) -> dict:
    """Register a topic kind's fragment; returns the document."""
    core()
    document = json.loads(Path(path).read_text())
    _add(document)
    return document


def documents() -> list[dict]:
    """The core document first, then every registered fragment."""
    core()
    return list(_documents.values())


@cache
def _validator(uri: str, definition: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"{uri}#/$defs/{definition}"}, registry=_registry[0])


def definition_validator(document: dict, definition: str) -> Draft202012Validator:
    """A validator for one definition of a registered document."""
    return _validator(document["$id"], definition)


def has_definition(document: dict, definition: str) -> bool:
    return definition in document.get("$defs", {})


@cache
def _any_of(definition: str) -> Draft202012Validator:
    refs = [{"$ref": f"{doc['$id']}#/$defs/{definition}"} for doc in documents() if has_definition(doc, definition)]
    return Draft202012Validator({"anyOf": refs}, registry=_registry[0])


def server_frame_validator() -> Draft202012Validator:
    """Any frame the server may send: a core frame or one of a kind's."""
    return _any_of("serverFrame")


def client_frame_validator() -> Draft202012Validator:
    """Any frame a client may send."""
    return _any_of("clientFrame")
