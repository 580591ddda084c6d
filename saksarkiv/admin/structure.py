"""The archive's structure in the admin: archive parts and periods, classification, units, and the
standard's entities kept beside the records (disposal, security classification, remarks,
cross-references, precedents)."""
