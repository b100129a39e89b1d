"""Official sanctions lists: one module per source, each metadata plus a small parser."""
