"""Documents: rendering with WeasyPrint, fonts, and every document a course needs."""
