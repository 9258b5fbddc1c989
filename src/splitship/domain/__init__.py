"""Pure domain model: no framework, database, clock or randomness."""
