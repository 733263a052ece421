"""Stage 3 (read path): candidates by vector and keyword, ranked, shown to a model as context."""
