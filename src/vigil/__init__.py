"""Vigil: implementing UN Security Council sanctions on the DPRK.

Official lists, screening, alert review, networks, maritime and crypto analytics.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
