"""Play from a terminal: an interactive session, and scripts of commands."""
