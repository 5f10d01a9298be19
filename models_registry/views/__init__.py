"""Pages of the registry: finding, registering, files and results, exports."""
