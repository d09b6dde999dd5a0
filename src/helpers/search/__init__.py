"""``python -m helpers search``: the strategies of data/search_strategies.csv run again against PubMed, Europe PMC
and ClinicalTrials.gov for a date range; new records queued in screening.csv for a person to screen, every run
logged in search_log.csv, registered trials refreshed in registrations.csv; the queue exported and imported as RIS.

It reads and writes the data tables and nothing else: no record ever enters the study table from here.
"""
