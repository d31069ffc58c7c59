"""Build-time tools: `python -m tools.build_data` (make data)."""
