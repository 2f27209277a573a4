"""Email: certificates and follow-up invitations sent by SMTP, and their log."""
