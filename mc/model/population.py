"""Population by single-year age and sex on 1 January, as the model receives it.

The table types live in :mod:`mc.domain.population` (shared with :mod:`mc.data`, which builds
and checks them); this module names them for model code. Files are read in
:mod:`mc.data.population` (:func:`~mc.data.population.read_population_file`,
:func:`~mc.data.population.read_data_dir`), never here.
"""

from __future__ import annotations

from mc.domain.population import PopulationTable, RegionalPopulation

__all__ = ["PopulationTable", "RegionalPopulation"]
