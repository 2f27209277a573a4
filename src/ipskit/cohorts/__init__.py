"""Cohorts and their records.

The roster, attendance, history, the certificate register, follow-ups, the cascade, and
the figures a funder asks for.
"""
