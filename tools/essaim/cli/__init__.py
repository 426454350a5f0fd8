"""The `essaim` command: the parser and one module per group of commands."""
