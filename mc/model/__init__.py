"""Domain model: configuration, population data, the demographic-cost model."""
