"""The Felles card agent: runs on the citizen's computer and lets one web origin use the level 4 smartcard.

Like Web eID, the page talks to this agent on 127.0.0.1; the card checks the PIN and signs, the server never
sees the PIN or the key. This package must not import Django or anything else from the project.
"""

__version__ = "1.0"
