"""Web assets: Jinja2 templates (``templates/``) for the reports and the web UI."""
