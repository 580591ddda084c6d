"""The case handler's archive in the admin, Public 360-style: cases, journal posts with their
parties, documents and receipts, letter templates, and dispatch with one action.

Every queryset, form choice and action is limited to the handler's own organisation (a record of
another organisation answers 404). The rules live in saksarkiv.services; this is the surface.
One module per surface; each registers its ModelAdmins when imported here."""

from saksarkiv.admin import access, cases, journalposts, letters, restanser, structure  # noqa: F401
