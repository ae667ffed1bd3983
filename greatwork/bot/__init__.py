"""The Discord front end: a disnake InteractionBot over the command catalogue."""
