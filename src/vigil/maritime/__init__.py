"""Maritime: AIS ingest into a columnar store, vessel identity registry and checks, event detection.

- :mod:`vigil.maritime.store` — the AIS store (Parquet directory) and its schemas.
- :mod:`vigil.maritime.nmea` — NMEA 0183 AIS decoding (tag blocks, multi-part messages).
- :mod:`vigil.maritime.tabular` — CSV/Parquet exports (MarineCadastre schema).
- :mod:`vigil.maritime.vessels` — vessel registry from the lists and AIS static data.
- :mod:`vigil.maritime.identity` — identity checks (designated IMO/name, MID vs flag, …).
"""
