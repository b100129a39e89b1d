"""Ownership (OFAC 50 % rule) and relationship networks between listed parties."""
