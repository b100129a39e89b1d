"""Implementation monitoring: who implements the DPRK sanctions, and what the DPRK did meanwhile.

- :mod:`vigil.monitor.data` — the curated data sets bundled in ``vigil/data/implementation/``
  (every row keeps its source and confidence) and the user's own rows in ``$VIGIL_HOME/monitor/``,
  validated and merged over them.
- :mod:`vigil.monitor.scorecard` — per-state scorecard: national implementation reports per
  resolution, DPRK mission, visa regime, enforcement cases; "unknown" stays unknown.
- :mod:`vigil.monitor.timeline` — tests, resolutions, designation waves and enforcement events on
  one time axis, filters, designations after each resolution.
- :mod:`vigil.monitor.chart` — the timeline chart laid out once, drawn as SVG or into a PDF.
- :mod:`vigil.monitor.export` — the scorecard and the timeline as one HTML or PDF document.
"""
