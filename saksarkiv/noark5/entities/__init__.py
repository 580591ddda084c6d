"""The entities of the interface, each registering its Resource (saksarkiv.noark5.resources)."""

from saksarkiv.noark5.entities import (  # noqa: F401
    admin,
    cases,
    classification,
    documents,
    endringslogg,
    parties,
    structure,
)
