"""The build: load, validate, enrich and photos, run in order by the pipeline."""
