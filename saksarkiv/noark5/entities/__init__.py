"""The entities of the interface, each registering its Resource (saksarkiv.noark5.resources)."""

from saksarkiv.noark5.entities import cases, classification, documents, parties, structure  # noqa: F401
