"""Arkivmelding, the Noark 5 XML that case systems exchange through eFormidling: read and validated
against the published schema (schema), filed when it comes in (filing), built for an outgoing
journal post (build)."""

from saksarkiv.services.arkivmelding.build import OutgoingDocument, build
from saksarkiv.services.arkivmelding.filing import Filed, MissingDocumentFile, file_arkivmelding, receive
from saksarkiv.services.arkivmelding.schema import InvalidArkivmelding, check, parse

__all__ = [
    "Filed", "InvalidArkivmelding", "MissingDocumentFile", "OutgoingDocument", "build", "check",
    "file_arkivmelding", "parse", "receive",
]  # fmt: skip
