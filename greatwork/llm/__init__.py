"""Persona voice through an optional language model, and moderation of texts."""
