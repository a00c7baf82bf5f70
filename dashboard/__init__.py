"""The Streamlit dashboard's pages (``app_dashboard.py`` wires them together).

Widgets only: every number comes from ``sim`` (``sim.explore`` and its
siblings) and every figure from ``sim.charts``. Kept outside ``sim/`` so that
nothing under ``sim/`` imports streamlit.
"""
