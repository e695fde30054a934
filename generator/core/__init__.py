"""The shared core: records, schema, region data, problems and the rules every part uses."""
