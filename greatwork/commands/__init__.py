"""The platform-neutral command catalogue: every player command and /gw_admin subcommand."""
