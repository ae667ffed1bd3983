"""The pure rules engine: state, events, commands and the digest, with no I/O.

Importing this package registers every event applier and command decider.
"""
