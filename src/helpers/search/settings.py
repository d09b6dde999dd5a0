"""Where each source is, who is asking and how long to wait: read from the environment once per run, so that the
tests point every source at a local server and a user can add NCBI's contact e-mail and API key."""

from __future__ import annotations

import os
from dataclasses import dataclass

#: (variable, what it sets, default) for the command's --help and the README
VARIABLES = (
    ("HELPERS_PUBMED_URL", "base address of NCBI's E-utilities", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"),
    (
        "HELPERS_EUROPEPMC_URL",
        "base address of Europe PMC's REST API",
        "https://www.ebi.ac.uk/europepmc/webservices/rest",
    ),
    ("HELPERS_CTGOV_URL", "base address of ClinicalTrials.gov's API version 2", "https://clinicaltrials.gov/api/v2"),
    ("HELPERS_NCBI_EMAIL", "contact e-mail NCBI asks every E-utilities client to send", ""),
    ("HELPERS_NCBI_API_KEY", "NCBI API key: 10 requests a second instead of 3", ""),
    ("HELPERS_SEARCH_TIMEOUT", "seconds to wait for an answer before giving up", "30"),
)
#: NCBI's published limits: 3 requests a second without an API key, 10 with one
NCBI_RATE, NCBI_KEY_RATE = 3.0, 10.0
#: the name NCBI's E-utilities ask a client to give as ``tool``
TOOL = "helpers-ketamine-evidence"


@dataclass(frozen=True)
class Settings:
    pubmed_url: str
    europepmc_url: str
    ctgov_url: str
    ncbi_email: str
    ncbi_api_key: str
    timeout: float

    @property
    def ncbi_rate(self) -> float:
        return NCBI_KEY_RATE if self.ncbi_api_key else NCBI_RATE


def from_environment(env=None) -> Settings:
    from ..errors import HelpersError

    env = os.environ if env is None else env
    value = {name: (env.get(name) or default).strip() for name, _, default in VARIABLES}
    try:
        timeout = float(value["HELPERS_SEARCH_TIMEOUT"])
    except ValueError:
        timeout = -1.0
    if not timeout > 0:
        raise HelpersError(
            f"HELPERS_SEARCH_TIMEOUT={env.get('HELPERS_SEARCH_TIMEOUT')!r}: expected a number of seconds above 0"
        )
    return Settings(
        pubmed_url=value["HELPERS_PUBMED_URL"].rstrip("/"),
        europepmc_url=value["HELPERS_EUROPEPMC_URL"].rstrip("/"),
        ctgov_url=value["HELPERS_CTGOV_URL"].rstrip("/"),
        ncbi_email=value["HELPERS_NCBI_EMAIL"],
        ncbi_api_key=value["HELPERS_NCBI_API_KEY"],
        timeout=timeout,
    )
