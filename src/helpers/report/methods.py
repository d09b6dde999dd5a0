"""Words for how a pooled result was made, from the method record it carries (:class:`helpers.stats.pooling.Record`)
or a registered method (:class:`helpers.stats.pooling.Method`): a page never types the method, its interval or
its level. A new pooling method (an entry of :data:`helpers.stats.pooling.FITS`) needs its estimator or
interval named here if they are new."""

from __future__ import annotations

from ..stats.pooling import Method, Record

#: the estimator of the between-study variance, as the pages write it
ESTIMATOR_WORDS = {"REML": "REML", "DL": "DerSimonian-Laird"}
#: the kind of interval: its name, and the other name it goes by (said where a page introduces it)
INTERVAL_WORDS = {"hartung_knapp": ("Hartung-Knapp", None), "normal": ("normal", "Wald")}
#: every pooled result is a random-effects model
MODEL = "random effects"


def level_words(rec: Record | Method) -> str:
    """'95%'."""
    return f"{100 * rec.level:g}%"


def ci_words(rec: Record | Method, named: bool = False) -> str:
    """'95% CI', or with its interval named: 'Hartung-Knapp 95% CI'."""
    ci = f"{level_words(rec)} CI"
    return f"{INTERVAL_WORDS[rec.interval][0]} {ci}" if named else ci


def interval_words(rec: Record | Method, aka: bool = False) -> str:
    """'the Hartung-Knapp interval'; with ``aka``, the other name too: 'the normal (Wald) interval'."""
    name, other = INTERVAL_WORDS[rec.interval]
    return f"the {name} ({other}) interval" if aka and other else f"the {name} interval"


def estimator_words(rec: Record | Method) -> str:
    """'REML'."""
    return ESTIMATOR_WORDS.get(rec.estimator, rec.estimator)


def model_words(rec: Record | Method) -> str:
    """'random effects, REML'."""
    return f"{MODEL}, {estimator_words(rec)}"


def studies_words(rec: Record) -> str:
    """'3 studies, random effects, REML'."""
    return f"{rec.k} studies, {model_words(rec)}"
