"""Data layer: the table schema, the validating loader and the generated data dictionary."""
