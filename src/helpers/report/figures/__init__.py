"""The report figures, one module per kind; :mod:`.style` holds the conventions they share."""
