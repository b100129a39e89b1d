"""Pure name and value normalization: no I/O, never raises on bad data."""
