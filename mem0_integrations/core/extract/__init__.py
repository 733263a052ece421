"""Stage 1: messages -> candidate facts (offline rules or an LLM), dates resolved, text screened."""
