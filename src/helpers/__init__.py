"""Helpers for the ketamine evidence repository: load, validate, synthesize, plot, build.

The notebooks narrate; this package computes. Public entry points:

- :func:`helpers.loader.load_studies` -- the validated study table
- :mod:`helpers.effects` -- harmonized effect sizes (escalc-like)
- :mod:`helpers.meta` -- random-effects pooling (REML, DL, Hartung-Knapp)
- :mod:`helpers.plots` -- figures
- ``python -m helpers validate|build|dictionary`` -- the command line
"""
__all__ = ["load_studies"]


def __getattr__(name):
    if name == "load_studies":
        from .loader import load_studies

        return load_studies
    raise AttributeError(name)
