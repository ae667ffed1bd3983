"""greatwork: a game server for The Great Work, a research-drama game played in Discord."""

__version__ = "0.1.0"
