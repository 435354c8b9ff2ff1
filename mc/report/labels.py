"""Report labels in Norwegian (the terms of the TBU notes) and English: the only label source.

Tables, charts and console text take every word from here. Money is always labelled with the
kroner it is counted in: demographic costs in the configuration's price year, the economy's
kroner amounts (free revenues, real growth, both kinds of room) in the prices of the year they
belong to, as TBU states them. Births and deaths are *fødte* and *døde*, the terms of SSB's
population accounts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

LANGS = ("nb", "en")

_TEXT = {
    "nb": {
        "fan_title": "Merutgifter til demografi {year}, mrd. {price_year}-kroner",
        "total": "Samlede merutgifter",
        "free": "Dekket av frie inntekter",
        "median": "Median",
        "band": "{level} % intervall",
        "published": "TBU (publisert)",
        "point": "Punktanslag (modell)",
        "draws_note": "{draws} trekninger, {blocks} blokker",
        "scenario": "Alternativ",
        "mean": "Gj.snitt",
        "economy_title": "Kommunesektorens økonomi, {first}-{last}",
        "norm": "TBUs anbefalte nivå ({value} %)",
        "bands_of": "Intervaller: {scenario}",
        "point_of": "Punktanslag: {scenario}",
        "money_year": "mrd. {year}-kr",
        "money_each_year": "mrd. kr, hvert års priser",
        "money_years": "mrd. kr, løpende priser {first}-{last}",
        "rank_title": "Merutgifter til demografi {year} per innbygger, kr ({price_year}-kroner)",
        "rank_highest": "Høyest (median)",
        "rank_widest": "Bredest {level} %-intervall",
        "tornado_title": "Hva driver usikkerheten? {scenario}, {year}",
        "tornado_share": "{share} % av variansen",
    },
    "en": {
        "fan_title": "Extra costs of demographic change {year}, bn {price_year} kroner",
        "total": "Total extra costs",
        "free": "Financed by free revenues",
        "median": "Median",
        "band": "{level} % band",
        "published": "TBU (published)",
        "point": "Point estimate (model)",
        "draws_note": "{draws} draws, {blocks} blocks",
        "scenario": "Scenario",
        "mean": "Mean",
        "economy_title": "The municipal sector's economy, {first}-{last}",
        "norm": "TBU's recommended level ({value} %)",
        "bands_of": "Bands: {scenario}",
        "point_of": "Point estimate: {scenario}",
        "money_year": "bn {year} NOK",
        "money_each_year": "bn NOK, each year's prices",
        "money_years": "bn NOK, current prices {first}-{last}",
        "rank_title": "Extra demographic costs {year} per inhabitant, NOK ({price_year} prices)",
        "rank_highest": "Highest (median)",
        "rank_widest": "Widest {level} % band",
        "tornado_title": "What drives the uncertainty? {scenario}, {year}",
        "tornado_share": "{share} % of the variance",
    },
}


# The report page and its tables (`tbu-mc report`). Norwegian follows the TBU notes' terms:
# merutgifter, frie inntekter, netto driftsresultat, handlingsrom.
_TEXT["nb"].update(
    {
        "rep_title": "Usikkerhet i TBUs beregninger: {name}",
        "rep_lede": "{draws} trekninger i {blocks} blokker à {block_size}, frø {seed}. "
        "Intervaller: {bands}.",
        "rep_bands_note": "Intervallene er sentrale: et 90 %-intervall går fra 5- til "
        "95-persentilen. Grensene er regnet eksakt over alle trekningene i draws.nc.",
        "rep_bands_note_stream": "Intervallene er sentrale: et 90 %-intervall går fra 5- til "
        "95-persentilen. Grensene er regnet over alle trekningene, fra blokkenes sammenslåtte "
        "histogrammer (feilgrensen står i kolonnen sketch_error i summary.csv); draws.nc har "
        "bare de første trekningene (--keep-draws), eller finnes ikke.",
        "rep_footer": "Laget av tbu-mc {version} {created} fra {run_dir}.",
        "sec_headline": "Hovedtall for {year}",
        "sec_fans": "Viftediagrammer",
        "sec_tornado": "Tornadodiagram: hvilke usikkerhetskilder betyr mest",
        "sec_scenarios": "TBUs alternativer og intervallene",
        "sec_exceedance": "Sannsynligheter",
        "sec_precision": "Presisjon",
        "sec_reproduce": "Reproduksjon",
        "cap_headline": "TBUs tall, modellens punktanslag, gjennomsnitt, median og "
        "{bands}-intervaller, {year}",
        "cap_scenarios": "TBUs alternativer plassert i fordelingen for {scenario}, {year}",
        "cap_exceedance": "Sannsynlighet for å havne over eller under en terskel (MCSE i parentes)",
        "cap_precision": "Kjøringen og dens presisjon",
        "cap_mcse": "Monte Carlo-usikkerhet (MCSE) i kvantilene, effektivt utvalg og R-hat, {year}",
        "cap_sensitivity": "Følsomhet for {scenario}, {year}: hver usikkerhetskilde ved 10- og "
        "90-persentilen, de andre ved medianen",
        "cap_variance": "Andel av variansen og Sobol-indekser for {scenario}, {year} "
        "(90 %-intervall i parentes)",
        "cap_manifest": "Manifest",
        "cap_fan_demographic": "Merutgifter til demografi med {bands}-intervaller. "
        "× er modellens punktanslag, ◇ TBUs publiserte tall.",
        "cap_fan_economy": "Kommunesektorens økonomi med {bands}-intervaller; over flere år "
        "gjelder intervallene {scenario}. × er punktanslaget for hvert alternativ.",
        "cap_tornado": "Utslag når én usikkerhetskilde settes til sin 10- eller 90-persentil og "
        "de andre står på medianen (fra sensitivity.csv).",
        "no_sensitivity": "Ingen følsomhetsanalyse er kjørt for denne kjøringen (mappen har "
        "ingen sensitivity.csv), så det er ikke noe tornadodiagram.",
        "reproduce_text": "Samme konfigurasjon, frø og blokkstørrelse gir de samme trekningene "
        "bit for bit:",
        "resolved_config": "Fullstendig konfigurasjon (fra manifest.json)",
        "packages": "Pakkeversjoner",
        "col_variable": "Størrelse",
        "col_point": "Punktanslag",
        "col_tbu": "TBU",
        "col_p_above_tbu": "P(> TBU)",
        "col_year": "År",
        "col_event": "Hendelse",
        "col_probability": "Sannsynlighet",
        "col_extra_immigration": "Ekstra nettoinnvandring",
        "col_total_tbu": "I alt, TBU",
        "col_total_point": "I alt, punktanslag",
        "col_free_tbu": "Frie inntekter, TBU",
        "col_free_point": "Frie inntekter, punktanslag",
        "col_percentile": "Persentil",
        "col_driver": "Usikkerhetskilde",
        "col_low": "Ved P10",
        "col_high": "Ved P90",
        "col_base": "Alle ved median",
        "col_swing": "Utslag",
        "col_share": "Andel av variansen",
        "col_s1": "Sobol S1",
        "col_st": "Sobol ST",
        "col_item": "Post",
        "col_value": "Verdi",
        "above": "over",
        "below": "under",
        "item_draws": "Trekninger",
        "item_blocks": "Blokker (ArviZ-kjeder)",
        "item_block_size": "Blokkstørrelse",
        "item_seed": "Frø (entropi)",
        "item_scheduler": "Kjøring",
        "item_wall": "Veggtid, sekunder",
        "item_max_rhat": "Største R-hat (alle størrelser)",
        "rhat_one_block": "– (R-hat sammenligner blokker og krever minst to)",
        "item_min_ess": "Minste effektive utvalg, ESS (alle størrelser)",
        "item_version": "tbu-mc-versjon",
        "item_created": "Laget",
        "item_config": "Konfigurasjonsfil",
        "item_config_sha": "SHA-256 for konfigurasjonen",
        "item_overrides": "Endret ved kjøring (--set, --scenario)",
        "item_command": "Kommando som ble kjørt",
        "item_data": "Datafiler",
        "fan_title_years": "Merutgifter til demografi {first}-{last}, mrd. {price_year}-kroner",
        "economy_title_year": "Kommunesektorens økonomi, {year}",
        "unit_bn_price": "mrd. {price_year}-kr",
        "unit_bn_unpriced": "mrd. kr",
        "con_nation": "Norge",
        "con_kroner": "{price_year}-kroner",
        "con_per_inhabitant": "høyest kostnad per innbygger, {kroner} ({year}):",
        "con_placement": "{scenario}: {value} {unit}, {rank}. persentil i fordelingen for "
        "{reference} (punktanslag, merutgifter i alt {year})",
        "tornado_low": "Kilden ved 10-persentilen",
        "tornado_high": "Kilden ved 90-persentilen",
        "tornado_base": "Alle ved median",
        "var_demographic_cost_total_bn": "Merutgifter til demografi, i alt (mrd. {price_year}-kr)",
        "var_demographic_cost_free_bn": "Merutgifter dekket av frie inntekter "
        "(mrd. {price_year}-kr)",
        "var_deflator_pct": "Kommunal deflator (prosent)",
        "var_tax_growth_pct": "Skattevekst (prosent)",
        "var_real_growth_free_revenues_bn": "Realvekst i frie inntekter ({money})",
        "var_nominal_growth_free_revenues_pct": "Nominell vekst i frie inntekter (prosent)",
        "var_free_revenues_bn": "Frie inntekter ({money})",
        "var_handlingsrom_ex_ante_bn": "Handlingsrom i budsjettet, før overraskelser ({money})",
        "var_realised_room_bn": "Realisert handlingsrom etter overraskelser ({money})",
        "var_net_operating_result_pct": "Netto driftsresultat (prosent av driftsinntektene)",
        "var_net_operating_result_municipalities_pct": (
            "Netto driftsresultat, kommunene (prosent av driftsinntektene)"
        ),
        "var_net_operating_result_counties_pct": (
            "Netto driftsresultat, fylkeskommunene (prosent av driftsinntektene)"
        ),
        "var_population_growth": "Befolkningsvekst (personer)",
        "var_extra_net_immigration": "Ekstra nettoinnvandring (personer)",
        "drv_extra_net_immigration": "Ekstra nettoinnvandring (flyktninger)",
        "drv_immigrant_profile": "Innvandrernes alders- og kjønnsprofil",
        "drv_births": "Fødte",
        "drv_deaths": "Døde",
        "drv_regular_net_immigration": "Annen nettoinnvandring",
        "drv_unit_costs": "Enhetskostnader",
        "drv_wage_surprise_pp": "Lønnsvekst mot budsjett",
        "drv_price_surprise_pp": "Prisvekst mot budsjett",
        "drv_tax_surprise_pct": "Skatteinngang mot budsjett",
        "drv_interest_surprise_pp": "Rente mot budsjett",
        "drv_deflator_surprise_pp": "Deflator mot budsjett",
        "drv_tax_surprise_bn": "Skatteinngang mot budsjett (mrd. kr)",
    }
)
_TEXT["en"].update(
    {
        "rep_title": "Uncertainty in TBU's figures: {name}",
        "rep_lede": "{draws} draws in {blocks} blocks of {block_size}, seed {seed}. "
        "Bands: {bands}.",
        "rep_bands_note": "Bands are central: a 90 % band runs from the 5th to the 95th "
        "percentile. Their edges are computed exactly over all draws in draws.nc.",
        "rep_bands_note_stream": "Bands are central: a 90 % band runs from the 5th to the 95th "
        "percentile. Their edges are computed over every draw, from the blocks' merged "
        "histograms (their error bound is summary.csv's sketch_error column); draws.nc holds "
        "only the first draws (--keep-draws), or is not written.",
        "rep_footer": "Made by tbu-mc {version} {created} from {run_dir}.",
        "sec_headline": "Headline figures for {year}",
        "sec_fans": "Fan charts",
        "sec_tornado": "Tornado chart: which drivers matter most",
        "sec_scenarios": "TBU's alternatives and the bands",
        "sec_exceedance": "Exceedance probabilities",
        "sec_precision": "Precision",
        "sec_reproduce": "Reproducing the run",
        "cap_headline": "TBU's figures, the model's point estimate, mean, median and "
        "{bands} bands, {year}",
        "cap_scenarios": "TBU's alternatives placed in the distribution of {scenario}, {year}",
        "cap_exceedance": "Probability of ending above or below a threshold (MCSE in brackets)",
        "cap_precision": "The run and its precision",
        "cap_mcse": "Monte Carlo standard errors (MCSE) of quantiles, effective sample size and "
        "R-hat, {year}",
        "cap_sensitivity": "Sensitivity for {scenario}, {year}: each driver at its 10th and 90th "
        "percentile, the others at their medians",
        "cap_variance": "Share of the variance and Sobol indices for {scenario}, {year} "
        "(90 % interval in brackets)",
        "cap_manifest": "Manifest",
        "cap_fan_demographic": "Demographic extra costs with {bands} bands. "
        "× is the model's point estimate, ◇ TBU's published figure.",
        "cap_fan_economy": "The municipal sector's economy with {bands} bands; over several "
        "years the bands are those of {scenario}. × marks each scenario's point estimate.",
        "cap_tornado": "Swing when one driver is set to its 10th or 90th percentile and the "
        "others stay at their medians (from sensitivity.csv).",
        "no_sensitivity": "No sensitivity analysis was run for this run (the folder holds no "
        "sensitivity.csv), so there is no tornado chart.",
        "reproduce_text": "The same configuration, seed and block size give the same draws, bit "
        "for bit:",
        "resolved_config": "Resolved configuration (from manifest.json)",
        "packages": "Package versions",
        "col_variable": "Variable",
        "col_point": "Point estimate",
        "col_tbu": "TBU",
        "col_p_above_tbu": "P(> TBU)",
        "col_year": "Year",
        "col_event": "Event",
        "col_probability": "Probability",
        "col_extra_immigration": "Extra net immigration",
        "col_total_tbu": "Total, TBU",
        "col_total_point": "Total, point estimate",
        "col_free_tbu": "Free revenues, TBU",
        "col_free_point": "Free revenues, point estimate",
        "col_percentile": "Percentile",
        "col_driver": "Driver",
        "col_low": "At P10",
        "col_high": "At P90",
        "col_base": "All at median",
        "col_swing": "Swing",
        "col_share": "Share of variance",
        "col_s1": "Sobol S1",
        "col_st": "Sobol ST",
        "col_item": "Item",
        "col_value": "Value",
        "above": "above",
        "below": "below",
        "item_draws": "Draws",
        "item_blocks": "Blocks (ArviZ chains)",
        "item_block_size": "Block size",
        "item_seed": "Seed (entropy)",
        "item_scheduler": "Scheduler",
        "item_wall": "Wall time, seconds",
        "item_max_rhat": "Largest R-hat (all variables)",
        "rhat_one_block": "– (R-hat compares blocks and needs at least two)",
        "item_min_ess": "Smallest effective sample size, ESS (all variables)",
        "item_version": "tbu-mc version",
        "item_created": "Created",
        "item_config": "Configuration file",
        "item_config_sha": "SHA-256 of the configuration",
        "item_overrides": "Changed at run time (--set, --scenario)",
        "item_command": "Command run",
        "item_data": "Data files",
        "fan_title_years": "Extra costs of demographic change {first}-{last}, "
        "bn {price_year} kroner",
        "economy_title_year": "The municipal sector's economy, {year}",
        "unit_bn_price": "bn {price_year} NOK",
        "unit_bn_unpriced": "bn NOK",
        "con_nation": "Norway",
        "con_kroner": "{price_year} NOK",
        "con_per_inhabitant": "highest cost per inhabitant, {kroner} ({year}):",
        "con_placement": "{scenario}: {value} {unit}, the {rank} percentile of {reference} "
        "(point estimate, total extra costs {year})",
        "tornado_low": "Driver at its 10th percentile",
        "tornado_high": "Driver at its 90th percentile",
        "tornado_base": "All at median",
        "var_demographic_cost_total_bn": "Demographic extra costs, total (bn {price_year} NOK)",
        "var_demographic_cost_free_bn": "Demographic extra costs financed by free revenues "
        "(bn {price_year} NOK)",
        "var_deflator_pct": "Municipal deflator (%)",
        "var_tax_growth_pct": "Tax growth (%)",
        "var_real_growth_free_revenues_bn": "Real growth in free revenues ({money})",
        "var_nominal_growth_free_revenues_pct": "Nominal growth in free revenues (%)",
        "var_free_revenues_bn": "Free revenues ({money})",
        "var_handlingsrom_ex_ante_bn": "Budget's room for manoeuvre, ex ante ({money})",
        "var_realised_room_bn": "Realised room after the surprises, ex post ({money})",
        "var_net_operating_result_pct": "Net operating result (% of operating revenues)",
        "var_net_operating_result_municipalities_pct": (
            "Net operating result, municipalities (% of operating revenues)"
        ),
        "var_net_operating_result_counties_pct": (
            "Net operating result, counties (% of operating revenues)"
        ),
        "var_population_growth": "Population growth (persons)",
        "var_extra_net_immigration": "Extra net immigration (persons)",
        "drv_extra_net_immigration": "Extra net immigration (refugees)",
        "drv_immigrant_profile": "Immigrants' age and sex profile",
        "drv_births": "Births",
        "drv_deaths": "Deaths",
        "drv_regular_net_immigration": "Other net immigration",
        "drv_unit_costs": "Unit costs",
        "drv_wage_surprise_pp": "Wage growth vs budget",
        "drv_price_surprise_pp": "Price growth vs budget",
        "drv_tax_surprise_pct": "Tax revenue vs budget",
        "drv_interest_surprise_pp": "Interest rate vs budget",
        "drv_deflator_surprise_pp": "Deflator vs budget",
        "drv_tax_surprise_bn": "Tax revenue vs budget (bn NOK)",
    }
)


#: Labels of municipal runs and population forecasts (their console lines, charts and reports).
_TEXT["nb"].update(
    {
        "mun_point": "punkt",
        "mrep_bands_note": "Intervallene er sentrale: et 90 %-intervall går fra 5- til "
        "95-persentilen.",
        "mun_ranked": "høyest kostnad per innbygger blant kommuner med minst {min} innbyggere, "
        "{kroner} ({year}):",
        "mun_small_note": "{n} kommuner med færre enn {min} innbyggere er ikke rangert her "
        "(svært vide intervaller); `tbu-mc report` viser dem for seg",
        "rank_large": "Høyest median: kommuner med minst {min} innbyggere ({n})",
        "rank_small": "For seg: under {min} innbyggere (n = {n})",
        "county_panels_title": "Kostnad per innbygger {year} i hver kommune, etter fylke "
        "(kr, {price_year}-kroner; median og {level} %-intervall)",
        "county_small": "under {min} innbyggere",
        "mrep_title": "Merutgifter til demografi per kommune og fylkeskommune: {name}",
        "mrep_lede": "{draws} trekninger i {blocks} blokker à {block_size} (seed {seed}). "
        "Kvantilene kommer fra histogrammer slått sammen mens trekningene strømmet forbi "
        "(feil på høyst én søylebredde, kolonnen sketch_error i summary.csv).",
        "sec_mun_headline": "Hele landet, {year}",
        "sec_mun_regions": "Alle kommuner og fylkeskommuner",
        "sec_mun_ranked": "Rangert etter kostnad per innbygger",
        "sec_mun_counties": "Etter fylke",
        "mun_filter": "Søk etter navn eller nummer",
        "mun_filter_count": "rader vist",
        "cap_mun_headline": "Hele landet {year} ({unit}): punktanslag, median og {bands}",
        "cap_mun_regions": "Kommuner (kommunale tjenester) og fylkeskommuner (videregående "
        "opplæring, tannhelse), {year}; {price_year}-kroner; intervall: {level} %",
        "cap_mun_ranked": "Kommuner rangert etter median kostnad per innbygger, blant dem med "
        "minst {min} innbyggere (--min-population); de minste vises for seg.",
        "cap_mun_counties": "Hver kommunes median kostnad per innbygger med {level} %-intervall, "
        "ett panel per fylke; grått: under {min} innbyggere.",
        "col_region_nr": "Nr.",
        "col_region_name": "Navn",
        "col_region_kind": "Type",
        "kind_municipality": "kommune",
        "kind_county": "fylkeskommune",
        "col_inhabitants": "Innbyggere {year}",
        "col_per_inhabitant": "kr per innbygger",
        "col_bn": "mrd. kr",
        "col_band": "{level} %-intervall",
        "col_measure": "Størrelse",
        "col_point": "Punktanslag",
        "col_median": "Median",
        "pop_title": "Befolkningsframskriving fra {origin}: {name}",
        "pop_fan_title": "Befolkningen 1. januar, {first}-{last}",
        "pop_total": "Hele befolkningen",
        "pop_group": "Alder {group}",
        "pop_persons": "personer",
        "pop_lede": "Stokastisk framskriving fra {origin} ({draws} trekninger); intervallene "
        "er sentrale intervaller av trekningene hvert år.",
        "sec_pop_fan": "Vifte",
        "sec_pop_bands": "Intervaller",
        "cap_pop_fan": "Befolkningen i alt og i brede aldersgrupper, median og {bands}",
        "cap_pop_bands": "population_bands.csv: kvantiler per år og aldersgruppe (personer)",
        "col_year": "År",
        "col_group": "Aldersgruppe",
    }
)
_TEXT["en"].update(
    {
        "mun_point": "point",
        "mrep_bands_note": "Bands are central: a 90 % band runs from the 5th to the 95th "
        "percentile.",
        "mun_ranked": "highest cost per inhabitant among municipalities with at least {min} "
        "inhabitants, {kroner} ({year}):",
        "mun_small_note": "{n} municipalities with fewer than {min} inhabitants are not ranked "
        "here (very wide bands); `tbu-mc report` shows them apart",
        "rank_large": "Highest median: municipalities with at least {min} inhabitants ({n})",
        "rank_small": "Apart: under {min} inhabitants (n = {n})",
        "county_panels_title": "Cost per inhabitant {year} in each municipality, by county "
        "(NOK, {price_year} prices; median and {level} % band)",
        "county_small": "under {min} inhabitants",
        "mrep_title": "Extra demographic costs by municipality and county: {name}",
        "mrep_lede": "{draws} draws in {blocks} blocks of {block_size} (seed {seed}). The "
        "quantiles come from histograms merged as the draws streamed past (off by at most one "
        "bin width, column sketch_error of summary.csv).",
        "sec_mun_headline": "Norway, {year}",
        "sec_mun_regions": "Every municipality and county",
        "sec_mun_ranked": "Ranked by cost per inhabitant",
        "sec_mun_counties": "By county",
        "mun_filter": "Search by name or number",
        "mun_filter_count": "rows shown",
        "cap_mun_headline": "Norway {year} ({unit}): point estimate, median and {bands}",
        "cap_mun_regions": "Municipalities (municipal services) and counties (upper secondary "
        "school, dental care), {year}; {price_year} prices; band: {level} %",
        "cap_mun_ranked": "Municipalities ranked by median cost per inhabitant among those with "
        "at least {min} inhabitants (--min-population); the smallest are shown apart.",
        "cap_mun_counties": "Each municipality's median cost per inhabitant with its {level} % "
        "band, one panel per county; grey: under {min} inhabitants.",
        "col_region_nr": "No.",
        "col_region_name": "Name",
        "col_region_kind": "Kind",
        "kind_municipality": "municipality",
        "kind_county": "county",
        "col_inhabitants": "Inhabitants {year}",
        "col_per_inhabitant": "NOK per inhabitant",
        "col_bn": "bn NOK",
        "col_band": "{level} % band",
        "col_measure": "Measure",
        "col_point": "Point estimate",
        "col_median": "Median",
        "pop_title": "Population forecast from {origin}: {name}",
        "pop_fan_title": "Population on 1 January, {first}-{last}",
        "pop_total": "Whole population",
        "pop_group": "Age {group}",
        "pop_persons": "persons",
        "pop_lede": "Stochastic projection from {origin} ({draws} draws); the bands are "
        "central bands of the draws in each year.",
        "sec_pop_fan": "Fan",
        "sec_pop_bands": "Bands",
        "cap_pop_fan": "The whole population and broad age groups, median and {bands}",
        "cap_pop_bands": "population_bands.csv: quantiles by year and age group (persons)",
        "col_year": "Year",
        "col_group": "Age group",
    }
)


# The two views of a cost year (a configuration with ``model_view``; mc/workflow/views.py).
_TEXT["nb"].update(
    {
        "view_tbu": "TBUs sentrale bane",
        "view_model": "Modellens egen prognose",
        "view_tbu_long": "TBUs sentrale bane: TBUs forutsetninger (grunnforløp og ekstra "
        "flyktninger) med modellens usikkerhet rundt",
        "view_model_long": "Modellens egen prognose: komponentframskrivingen fra dataene "
        "(fødte, døde og nettoinnvandring som vender tilbake mot sitt langsiktige nivå); "
        "alternativene er avvik fra hovedalternativet",
        "headline_view": "Hovedtallene under er {view}.",
        "views_title": "Begge syn, samlede merutgifter {year}, {unit}",
        "col_view": "Syn",
        "col_median": "Median",
        "col_band90": "90 % intervall",
        "col_step": "Steg",
        "col_change": "Endring",
        "col_growth": "Befolkningsvekst",
        "sec_views": "To syn på {year}",
        "cap_views": "Samlede merutgifter og frie inntekter {year} i begge syn: median, "
        "90 %-intervall og sannsynligheten for å havne over TBUs tall (views.csv)",
        "cap_reconciliation": "Fra medianen i TBUs sentrale bane til medianen i modellens "
        "prognose, {scenario}: ett ledd byttes om gangen i fast rekkefølge (reconciliation.csv)",
        "reconciliation_note": "Kostnaden er lineær i befolkningsendringen, så leddene for "
        "innvandring, fødte, døde og aldring avhenger ikke av rekkefølgen; bare enhetskostnadene "
        "ville gjort det, og de er like i begge syn.",
        "step_tbu_median": "Median, TBUs sentrale bane",
        "step_tbu_median_to_central_path": "Til TBU-synets punktbane",
        "step_net_immigration": "Nettoinnvandring (nivå og alder)",
        "step_births": "Fødte",
        "step_deaths": "Døde",
        "step_ageing": "Aldring av startbefolkningen",
        "step_unit_costs": "Enhetskostnader",
        "step_model_central_path_to_median": "Fra modellens punktbane til dens median",
        "step_model_median": "Median, modellens prognose",
    }
)
_TEXT["en"].update(
    {
        "view_tbu": "TBU's central path",
        "view_model": "The model's own forecast",
        "view_tbu_long": "TBU's central path: TBU's inputs (baseline and extra refugees) with the "
        "model's errors around them",
        "view_model_long": "The model's own forecast: the cohort-component projection from the "
        "data (births, deaths, net migration returning towards its long-run level); the "
        "scenarios are deviations from the main one",
        "headline_view": "The headline figures below are {view}.",
        "views_title": "Both views, total extra costs {year}, {unit}",
        "col_view": "View",
        "col_median": "Median",
        "col_band90": "90 % band",
        "col_step": "Step",
        "col_change": "Change",
        "col_growth": "Population growth",
        "sec_views": "Two views of {year}",
        "cap_views": "Total extra costs and the free-revenue part {year} in both views: median, "
        "90 % band and the probability of exceeding TBU's figure (views.csv)",
        "cap_reconciliation": "From the median of TBU's central path to the median of the "
        "model's forecast, {scenario}: one part swapped at a time in a fixed order "
        "(reconciliation.csv)",
        "reconciliation_note": "The cost is linear in the population change, so the steps for "
        "immigration, births, deaths and ageing do not depend on their order; only unit costs "
        "would, and both views share them.",
        "step_tbu_median": "Median, TBU's central path",
        "step_tbu_median_to_central_path": "To the TBU view's central path",
        "step_net_immigration": "Net immigration (level and ages)",
        "step_births": "Births",
        "step_deaths": "Deaths",
        "step_ageing": "Ageing of the starting population",
        "step_unit_costs": "Unit costs",
        "step_model_central_path_to_median": "From the model's central path to its median",
        "step_model_median": "Median, the model's forecast",
    }
)


# Phases of the work after the draws, shown on stderr by the command line (mc/cli/progress.py).
_TEXT["nb"].update(
    {
        "phase_datatree": "samler trekningene",
        "phase_summary": "kvantiler, ESS og R-hat",
        "phase_exceedance": "sannsynligheter",
        "phase_sensitivity": "følsomhetsanalyse",
        "phase_netcdf": "skriver draws.nc",
        "phase_charts": "tegner figurene",
        "con_time": "{draws} trekninger i {blocks} {block_word}, frø {entropy}, {scheduler}; "
        "{total} s i alt (trekningene {draw_seconds} s)",
        "con_block": "blokk",
        "con_blocks": "blokker",
        "con_point": "Punkt",
        "con_mean": "Snitt",
        "con_stopped": "stoppet etter {draws} trekninger: {why}; {variable} {targets}",
        "con_targets_met": "målene er nådd",
        "con_cap_reached": "taket på {cap} trekninger ble nådd før alle målene var nådd",
        "con_allowed": "tillatt",
        "con_resumed": "gjenopptatt: {blocks} blokk(er) kom fra sjekkpunktene",
        "con_wrote": "skrev {path}",
        "con_note": "merknad",
        "rep_config_description": "Konfigurasjonens beskrivelse: {text}",
        "all_scenarios": "Alle alternativer",
        "note_plan_one_block": "blokkstørrelse {size} (én blokk): {draws} trekninger er "
        "færre enn den konfigurerte block_size på {configured}",
        "note_plan_fit": "blokkstørrelse {size} ({blocks} blokker): {draws} trekninger er "
        "ikke et multiplum av den konfigurerte block_size på {configured}; --block-size "
        "velger en annen",
        "note_precision": "--precision prøver målene hver {wave}. blokk à {size} trekninger, "
        "inntil {checks} ganger før taket på {cap}",
        "note_precision_chosen": "--precision prøver målene hver {wave}. blokk à {size} "
        "trekninger, inntil {checks} ganger før taket på {cap} (valgt ut fra taket)",
        "note_one_block": "R-hat sammenligner blokker (kjeder) og trenger minst to; denne "
        "kjøringen har én blokk, så kolonnen rhat i summary.csv er tom. Bruk flere blokker "
        "(mindre blokkstørrelse) for R-hat.",
        "note_late_inputs": "{n} opplysning(er) publisert etter as_of {as_of} beholdt "
        "(flag_late_inputs: true): {listed}; manifestet lister dem under late_inputs",
        "note_no_ndr_residual": "de økonomiske overraskelsene alene gir netto driftsresultat "
        "et ettårsspenn på {explained} prosentpoeng (IQR/1,349), mer enn de historiske "
        "{historical}; ingen restledd legges til",
        "note_in_process": "kjørt i denne prosessen: omtrent {work} s arbeid, mindre enn "
        "det tar å starte en lokal klynge (omtrent {start} s); --workers N ber om en",
        "note_local_cluster": "kjørt på en lokal klynge med {workers} prosesser: omtrent "
        "{work} s arbeid på én kjerne; --sync holder kjøringen i denne prosessen",
        "note_in_process_views": "kjørt i denne prosessen, det ene synet etter det andre: "
        "omtrent {work} s arbeid ({headline_view}: {headline_work} s; {side_view}: "
        "{side_work} s), mindre enn det tar å starte en lokal klynge (omtrent {start} s); "
        "--workers N ber om en",
        "note_local_cluster_views": "begge syn kjørt samtidig på én lokal klynge med {workers} "
        "prosesser: omtrent {work} s arbeid på én kjerne ({headline_view}: {headline_work} s; "
        "{side_view}: {side_work} s); --sync holder kjøringen i denne prosessen",
        "sch_sync": "i denne prosessen, blokk for blokk",
        "sch_threads": "Dask-klynge i denne prosessen ({n} tråder)",
        "sch_processes": "LocalCluster ({n} arbeidsprosesser à 1 tråd)",
        "sch_jobqueue": "{kind} via dask-jobqueue ({jobs} jobb(er) à {n} arbeidsprosesser)",
        "sch_address": "Dask-planlegger på {address}",
        "sch_client": "Dask-klient på {address}",
    }
)
_TEXT["en"].update(
    {
        "phase_datatree": "gathering the draws",
        "phase_summary": "quantiles, ESS and R-hat",
        "phase_exceedance": "probabilities",
        "phase_sensitivity": "sensitivity analysis",
        "phase_netcdf": "writing draws.nc",
        "phase_charts": "drawing the charts",
        "con_time": "{draws} draws in {blocks} {block_word}, seed entropy {entropy}, "
        "{scheduler}; {total} s in all (draws {draw_seconds} s)",
        "con_block": "block",
        "con_blocks": "blocks",
        "con_point": "Point",
        "con_mean": "Mean",
        "con_stopped": "stopped after {draws} draws: {why}; {variable} {targets}",
        "con_targets_met": "targets met",
        "con_cap_reached": "cap of {cap} draws reached before every target was met",
        "con_allowed": "allowed",
        "con_resumed": "resumed: {blocks} block(s) came from checkpoints",
        "con_wrote": "wrote {path}",
        "con_note": "note",
        "rep_config_description": "The configuration's description: {text}",
        "all_scenarios": "All scenarios",
        "sch_sync": "sync (in-process, sequential)",
        "sch_threads": "threads ({n} threads, in-process Dask cluster)",
        "sch_processes": "LocalCluster ({n} worker processes x 1 thread)",
        "sch_jobqueue": "{kind} via dask-jobqueue ({jobs} job(s) x {n} worker processes)",
        "sch_address": "Dask scheduler at {address}",
        "sch_client": "Dask client at {address}",
    }
)


def text(lang: str, key: str, **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``.

    Raises
    ------
    ValueError
        If ``lang`` is not one of ``nb``, ``en``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}, but it must be one of {list(LANGS)}")
    return _TEXT[lang][key].format(**values)


def whole(value: float, lang: str) -> str:
    """A whole number with the thousands separator of ``lang`` (a space in Norwegian)."""
    out = f"{value:,.0f}"
    return out.replace(",", "\u00a0") if lang == "nb" else out


#: How mc.engine describes a scheduler (SchedulerSpec.describe, and a client's address), as
#: patterns whose groups fill the label of the same kind; tests/report/test_one_language.py
#: checks that every kind the engine describes is matched.
_SCHEDULERS = (
    (re.compile(r"sync \(in-process, sequential\)"), "sch_sync", ()),
    (re.compile(r"threads \((\d+) threads, in-process Dask cluster\)"), "sch_threads", ("n",)),
    (re.compile(r"LocalCluster \((\d+) worker processes x 1 thread\)"), "sch_processes", ("n",)),
    (
        re.compile(r"(SLURM|PBS) via dask-jobqueue \((\d+) job\(s\) x (\S+) worker processes\)"),
        "sch_jobqueue",
        ("kind", "jobs", "n"),
    ),
    (re.compile(r"Dask scheduler at (.+)"), "sch_address", ("address",)),
    (re.compile(r"Dask client at (.+)"), "sch_client", ("address",)),
)


def scheduler_label(described: str, lang: str) -> str:
    """The engine's description of a scheduler in ``lang`` (unchanged if not recognised).

    Examples
    --------
    >>> scheduler_label("LocalCluster (2 worker processes x 1 thread)", "nb")
    'LocalCluster (2 arbeidsprosesser à 1 tråd)'
    """
    for pattern, key, names in _SCHEDULERS:
        found = pattern.fullmatch(described)
        if found:
            return text(lang, key, **dict(zip(names, found.groups(), strict=True)))
    return described


def seconds(value: float, lang: str) -> str:
    """Seconds to one decimal, with the decimal sign of ``lang``."""
    out = f"{value:.1f}"
    return out.replace(".", ",") if lang == "nb" else out


def note_text(note: str, lang: str) -> str:
    """A run's note (:class:`mc.workflow.notes.Note`) in ``lang``; English as recorded.

    Whole numbers get the language's thousands separator and other numbers one decimal (none
    from 10 up). A note without a key, or without a label in ``lang``, stays as it is.
    """
    key = getattr(note, "key", None)
    if lang == "en" or key is None or f"note_{key}" not in _TEXT[lang]:
        return str(note)
    given = dict(getattr(note, "values", {}))
    view = given.pop("view_of_note", None)  # a note of the other view's run (mc.workflow.views)
    prefix = f"{text(lang, f'view_{view}')}: " if view else ""
    values = {}
    for name, value in given.items():
        if isinstance(value, int) and not isinstance(value, bool):
            values[name] = whole(value, lang)
        elif name.endswith("_view") and f"view_{value}" in _TEXT[lang]:
            values[name] = text(lang, f"view_{value}")  # a view named by its value (tbu, model)
        elif isinstance(value, float):
            out = f"{value:.{1 if abs(value) < 10 else 0}f}"
            values[name] = out.replace(".", ",") if lang == "nb" else out
        else:
            values[name] = value
    return prefix + text(lang, f"note_{key}", **values)


#: What a labelled output is: a demographic cost or a figure of the sector's economy. The
#: report's headline table and the fan charts take every output of these groups a run has (a
#: new economy variable needs its label and its line here, nothing else); the scenario's
#: inputs and the population counts belong to neither.
_GROUPS = {
    "demographic_cost_total_bn": "demographic",
    "demographic_cost_free_bn": "demographic",
    "net_operating_result_pct": "economy",
    "net_operating_result_municipalities_pct": "economy",
    "net_operating_result_counties_pct": "economy",
    "real_growth_free_revenues_bn": "economy",
    "handlingsrom_ex_ante_bn": "economy",
    "realised_room_bn": "economy",
    "deflator_pct": "economy",
    "nominal_growth_free_revenues_pct": "economy",
    "tax_growth_pct": "economy",
    "free_revenues_bn": "economy",
}


def variables_of(group: str) -> tuple[str, ...]:
    """The labelled outputs of ``group`` (``demographic`` or ``economy``), in display order.

    Examples
    --------
    >>> variables_of("demographic")
    ('demographic_cost_total_bn', 'demographic_cost_free_bn')
    """
    return tuple(v for v, g in _GROUPS.items() if g == group)


def labelled_variables() -> tuple[str, ...]:
    """The output variables that have a label (the same in every language)."""
    return tuple(key.removeprefix("var_") for key in _TEXT["en"] if key.startswith("var_"))


def variable_label(
    variable: str,
    lang: str,
    price_year: int,
    year: int | None = None,
    *,
    years: Sequence[int] | None = None,
) -> str:
    """The label of an output variable, with its unit (its name if no label is known).

    Parameters
    ----------
    variable : str
        Output variable, e.g. ``demographic_cost_total_bn``.
    lang : {"nb", "en"}
        Label language.
    price_year : int
        The price year of the demographic costs.
    year : int, optional
        The one year the label stands for. Kroner amounts of the economy are in that year's
        prices; without a year (a label over several years) the label says "each year's prices"
        and, given ``years``, names the first and the last of them.
    years : sequence of int, optional
        The years a label over several years stands for.

    Examples
    --------
    >>> variable_label("handlingsrom_ex_ante_bn", "nb", 2024, 2025)
    'Handlingsrom i budsjettet, før overraskelser (mrd. 2025-kr)'
    """
    if year is not None:
        money = text(lang, "money_year", year=year)
    elif years:
        money = text(lang, "money_years", first=min(years), last=max(years))
    else:
        money = text(lang, "money_each_year")
    try:
        return text(lang, f"var_{variable}", price_year=price_year, money=money)
    except KeyError:
        return variable


def driver_label(driver: str, lang: str) -> str:
    """The label of an uncertain driver (its name, spaced, if no label is known)."""
    try:
        return text(lang, f"drv_{driver}")
    except KeyError:
        return driver.replace("_", " ")
