"""The Noark 5 tjenestegrensesnitt (Arkivverket's service interface, v1.1) over the case archive."""
