"""The REST API under /api and the OpenAI-compatible API under /v1: one router per area."""
