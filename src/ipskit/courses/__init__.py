"""Courses: the curriculum model, the catalogue of curricula, its schema, dating sessions."""
