"""Email: certificates and follow-up invitations, their words from templates, sent by SMTP."""
