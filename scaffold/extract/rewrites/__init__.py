"""libcst rewrites of notebook code, one per module, each tested with before/after strings."""
