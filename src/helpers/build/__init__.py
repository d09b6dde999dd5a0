"""Build layer: execute the parameterized notebooks into published HTML reports."""
