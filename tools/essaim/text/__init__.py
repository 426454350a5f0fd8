"""Basic formats every stage reads and writes: YAML with positions, located diagnostics, French dates, French collation,
command-line options (renamed ones keep a hidden alias)."""
