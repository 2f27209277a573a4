"""PDF objects as WeasyPrint writes them: cutting a batch into files, per-person fonts."""
