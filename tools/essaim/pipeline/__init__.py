"""load -> validate -> catalog: reading content files, checking them, and the catalog every output reads."""
