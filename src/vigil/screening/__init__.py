"""Screening customers against the lists: one query, a batch, a customer file (``files``)."""
