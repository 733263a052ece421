"""Storage: Chroma rows, the write-ahead journal, the folder lock and the in-process scope index."""
