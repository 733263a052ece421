"""Implementation of the ``mem0i`` command line (private; the entry point is
:func:`mem0_integrations.cli.main`). One module per group of commands; none of
them imports Chroma or the embedder until a command runs."""
