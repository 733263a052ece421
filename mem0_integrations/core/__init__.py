"""The framework-free core: models, configuration, storage, embedders and `Memory`.

Nothing under this package imports LangChain or LlamaIndex.
"""
