"""Command-line entry points (Typer). The only place that prints."""
