"""The standard's code lists (chapter 7, "Kodelister"), with the organisation's own additions."""


def kodenavn(kodeliste: str, kode: str) -> str:
    return kode
