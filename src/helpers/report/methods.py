"""Words for how an interval was made, from the method record a pooled result carries
(:class:`helpers.stats.pooling.Record`), a registered method (:class:`helpers.stats.pooling.Method`), or
:data:`STUDY` for a study's own interval: a page never types the method, its interval or its level ("95% CI"
is written here and nowhere else). A new pooling method (an entry of :data:`helpers.stats.pooling.FITS`)
needs its estimator or interval named here if they are new."""

from __future__ import annotations

from dataclasses import dataclass

from ..stats.effects import LEVEL
from ..stats.pooling import Method, Record
from .numbers import level

#: the estimator of the between-study variance, as the pages write it
ESTIMATOR_WORDS = {"REML": "REML", "DL": "DerSimonian-Laird"}
#: the kind of interval: its name, and the other name it goes by (said where a page introduces it)
INTERVAL_WORDS = {"hartung_knapp": ("Hartung-Knapp", None), "normal": ("normal", "Wald")}
#: every pooled result is a random-effects model
MODEL = "random effects"


@dataclass(frozen=True)
class Reported:
    """A study's own interval, at the level of the study table's intervals (helpers.stats.effects.LEVEL)."""

    level: float = LEVEL


#: the interval of a study's result (reported, or computed from its arm data)
STUDY = Reported()


def level_words(rec: Record | Method | Reported) -> str:
    """'95%'."""
    return level(rec.level)


def ci_words(rec: Record | Method | Reported, named: bool = False) -> str:
    """'95% CI', or with its interval named: 'Hartung-Knapp 95% CI'."""
    ci = f"{level_words(rec)} CI"
    return f"{interval_name(rec)} {ci}" if named else ci


def prediction_words(rec: Record | Method) -> str:
    """'95% prediction interval' (of a pooled fit, at the level of its confidence interval)."""
    return f"{level_words(rec)} prediction interval"


def interval_name(rec: Record | Method) -> str:
    """'Hartung-Knapp'."""
    return INTERVAL_WORDS[rec.interval][0]


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
