"""Helpers for the ketamine evidence repository: load, validate, synthesize, plot, build.

The notebooks narrate; this package computes. Public entry points:

- :func:`helpers.loader.load_studies` -- the validated study table
- :mod:`helpers.stats.effects` -- harmonized effect sizes (escalc-like)
- :mod:`helpers.stats.meta` -- random-effects pooling (REML, DL, Hartung-Knapp)
- :mod:`helpers.report.plots` -- figures
- ``python -m helpers validate|build|dictionary`` -- the command line
"""

__all__ = ["load_studies"]


def __getattr__(name):
    if name == "load_studies":
        from .data.loader import load_studies

        return load_studies
    raise AttributeError(name)
