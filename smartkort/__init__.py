"""Login at level 4 with a smartcard (Buypass, Commfides). The app is not called `smartcard`:
that is the name of pyscard's package, which the card agent imports."""
