"""The command line's engine side: export, explain, compare, figure flags, session replay."""
