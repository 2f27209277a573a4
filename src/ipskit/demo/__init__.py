"""The example workspace: invented people, every kind of document."""
