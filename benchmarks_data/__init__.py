"""Data files shipped with dagfilter (compact benchmark tables); see ATTRIBUTION.md."""
