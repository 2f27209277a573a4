"""Certificates: issuing, verifying, revoking and the verification site."""
