"""The ground floor of ipskit.

Errors, atomic private files, CSV and YAML reading, dates (read, and printed in a
locale), names and worker processes. Nothing here knows about workspaces, courses or
cohorts, beyond the ``locale:`` line of a settings file (:mod:`.locales`).
"""
