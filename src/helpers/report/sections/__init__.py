"""One module per report section; each section object takes the report context (:mod:`..context`)."""
