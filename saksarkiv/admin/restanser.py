"""Restanser: incoming journal posts not yet written off, per case handler and per unit."""
