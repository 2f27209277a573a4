"""The ground floor of ipskit.

Errors, atomic private files, CSV and YAML reading, dates, names and worker processes.
Nothing here knows about workspaces, courses or cohorts.
"""
