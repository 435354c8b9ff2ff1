"""When the inputs a run reads became public: the rules behind :meth:`Config.dated_inputs`.

Tables carry their own ``published`` dates. The population files do not (they hold many years),
so the day each 1 January population became public follows from SSB's release calendar here.
Conventions shared with ``configs/tables/economy-2024-03.yaml``: a source dated only to a month
counts as public on the month's last day, one dated only to a year on 31 December.
"""

from __future__ import annotations

import datetime as dt

#: Release days of SSB's population on 1 January of a year (table 07459) that we could source.
#: 2024: "SSB 21. februar 2024 publiserte innbyggertall ved inngangen til 2024" (consultation
#: material, chapter 3, ../shared/sources/konsultasjonsmote-2024-materiale.txt).
POPULATION_RELEASES: dict[int, dt.date] = {2024: dt.date(2024, 2, 21)}


def population_published(year: int) -> dt.date:
    """The day SSB's population on 1 January ``year`` was public.

    A sourced release day where we have one (:data:`POPULATION_RELEASES`); otherwise the rule
    that SSB publishes the 1 January population in February or March of the same year, taken as
    31 March so that the date is never earlier than the real one.

    Examples
    --------
    >>> population_published(2024), population_published(2023)
    (datetime.date(2024, 2, 21), datetime.date(2023, 3, 31))
    """
    return POPULATION_RELEASES.get(year, dt.date(year, 3, 31))
