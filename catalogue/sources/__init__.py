"""Open-data sources the catalogue is synced from (data·inclusion)."""
