"""Themes layer: every scored text placed on a stable theme of its brand group (models.theme_tables), after the
enrichment, before dbt. The rules come from the configuration file's ``themes`` section (ror_config.ThemesConfig).

Texts scored before embeddings were stored are encoded once more here, once (models.embeddings). A brand group is
clustered again only when its texts grew enough since its last clustering, or on a full refresh (`ror refresh
--full-refresh`); otherwise a day's new texts go to their nearest theme (models.theme_tables). Checks, in the
asset itself because they compare with the run before: every scored text has an assignment (a theme, or explicitly
unplaced / low-effort, in each brand group whose conversation holds it), every theme has a label, and no theme id or
label of the previous run changed or vanished (unless the model version, the rules or the brand groups' accounts
changed, which rebuilds them: reported, not failed).
"""

import re
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from models.cache import ensure_enrichment_table, store_embeddings
from models.embeddings import TABLE as EMBEDDING_TABLE
from models.embeddings import embedding_columns, texts_without_embedding
from models.theme_tables import (
    ASSIGNMENTS_TABLE,
    GROUP_ACCOUNTS,
    THEMES_TABLE,
    ensure_theme_tables,
    refresh_themes,
)
from models.themes import ThemeRules
from orchestration.assets.enrichment import known_models
from orchestration.names import FULL_REFRESH_TAG, WAREHOUSE_STEP_TAGS
from orchestration.resources import ConfigFileResource, EnrichmentResource, WarehouseResource
from ror_config import RorConfig


def brand_words(config: RorConfig) -> frozenset[str]:
    """The words of the configured brand and competitor names: capitalised like people's names, yet allowed in a
    theme's label."""
    names = [name for brand in config.brands for name in (brand.name, *(rival.name for rival in brand.competitors))]
    return frozenset(word.lower() for name in names for word in re.findall(r"[^\W\d_]+", name))


def group_accounts(config: RorConfig) -> pl.DataFrame:
    """Every account of each brand group: the brand's own and those of the competitors it tracks."""
    rows = [
        {"brand_id": brand.id, "platform": account.platform, "account_id": account.account_id, "handle": account.handle}
        for brand in config.brands
        for account in (*brand.accounts, *(account for rival in brand.competitors for account in rival.accounts))
    ]
    return pl.DataFrame(rows, schema=GROUP_ACCOUNTS)


def theme_rules(config: RorConfig) -> ThemeRules:
    """ThemeRules' defaults, with the rules the configuration file's ``themes`` section gives."""
    return replace(ThemeRules(), **config.themes.given())


def _embedded(enrichment: EnrichmentResource, missing: pl.DataFrame, model_version: str) -> pl.DataFrame:
    """The embeddings of texts scored before embeddings were stored: a once-only catch-up, so the models load here."""
    from models.enrich import Enricher  # torch: only for this catch-up

    embeddings = Enricher(enrichment.config()).embed(missing["text"].to_list())
    return missing.select("text_hash").with_columns(
        model_version=pl.lit(model_version), **embedding_columns(embeddings)
    )


THEMES_KEY = AssetKey(["enrichment", "themes"])
ASSIGNMENTS_KEY = AssetKey(["enrichment", "theme_assignments"])


@multi_asset(
    name="interaction_themes",
    specs=[
        AssetSpec(
            THEMES_KEY,
            deps=[AssetKey(["enrichment", "text_enrichment"])],
            group_name="enrichment",
            kinds={"duckdb", "scikitlearn"},
            description="Stable themes: id, label (c-TF-IDF words), centroid.",
        ),
        AssetSpec(
            ASSIGNMENTS_KEY,
            deps=[AssetKey(["enrichment", "text_enrichment"])],
            group_name="enrichment",
            kinds={"duckdb"},
            description="One row per scored text: its theme, or unplaced / low_effort.",
        ),
    ],
    check_specs=[
        AssetCheckSpec(
            "every_scored_text_assigned",
            asset=ASSIGNMENTS_KEY,
            blocking=True,
            description="Every scored text has exactly one assignment: a theme, unplaced or low_effort.",
        ),
        AssetCheckSpec(
            "theme_labels_present",
            asset=THEMES_KEY,
            description="WARN when a theme has no label (no word of its texts met the label rules).",
        ),
        AssetCheckSpec(
            "theme_ids_stable",
            asset=THEMES_KEY,
            blocking=True,
            description="No theme id or label of the previous run changed or vanished; a rebuild after a new model "
            "version or new rules starts over, and says so.",
        ),
    ],
    op_tags=WAREHOUSE_STEP_TAGS,
)
def interaction_themes(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    enrichment: EnrichmentResource,
    ror_config: ConfigFileResource,
):
    config = ror_config.load()
    rules, keep_words, accounts = theme_rules(config), brand_words(config), group_accounts(config)
    with warehouse.connect() as con:
        ensure_enrichment_table(con)
        model_version = known_models(con, enrichment).version
        started_over = ensure_theme_tables(con)
        missing = texts_without_embedding(con, model_version)
        if missing.height:
            context.log.info(f"encoding {missing.height} texts scored before embeddings were stored (once)")
            store_embeddings(con, _embedded(enrichment, missing, model_version))
        before = dict(con.execute(f"select theme_id, label from {THEMES_TABLE}").fetchall())
        # a full refresh clusters every brand group again; otherwise only a group whose texts grew enough is
        summary = refresh_themes(
            con,
            model_version,
            rules,
            datetime.now(UTC),
            keep_words,
            accounts,
            recluster=context.run.tags.get(FULL_REFRESH_TAG) == "true",
        )
        after = dict(con.execute(f"select theme_id, label from {THEMES_TABLE}").fetchall())
        [(unassigned,)] = con.execute(
            f"select count(*) from {EMBEDDING_TABLE} as embeddings left join {ASSIGNMENTS_TABLE} as assigned "
            "on assigned.text_hash = embeddings.text_hash where embeddings.model_version = ? "
            "and assigned.text_hash is null",
            [model_version],
        ).fetchall()
        statuses = dict(con.execute(f"select status, count(*) from {ASSIGNMENTS_TABLE} group by status").fetchall())
    rebuilt = summary.rebuilt or started_over
    context.log.info(
        f"themes: {summary.themes} in {summary.groups} brand groups, {summary.groups_clustered} clustered again "
        f"({summary.new_themes} new{', rebuilt' if rebuilt else ''}); "
        f"{summary.texts_assigned} of {summary.texts_considered} texts placed, {summary.texts_moved} moved"
    )
    changed = [theme for theme, label in before.items() if after.get(theme) != label]
    yield MaterializeResult(
        asset_key=THEMES_KEY,
        metadata={
            "themes": summary.themes,
            "brand_groups": summary.groups,
            "brand_groups_clustered": summary.groups_clustered,
            "new_themes": summary.new_themes,
            "rebuilt": rebuilt,
        },
    )
    yield MaterializeResult(
        asset_key=ASSIGNMENTS_KEY,
        metadata={
            "texts_considered": summary.texts_considered,
            "texts_assigned": summary.texts_assigned,
            "texts_unplaced": summary.texts_unplaced,
            "texts_moved": summary.texts_moved,
            **{f"texts_{status}": count for status, count in statuses.items()},
        },
    )
    yield AssetCheckResult(
        check_name="every_scored_text_assigned",
        asset_key=ASSIGNMENTS_KEY,
        passed=unassigned == 0,
        metadata={"texts_without_assignment": unassigned},
        description="Every text with an embedding has an assignment in each brand group whose conversation holds "
        "it (or in none): a theme, unplaced or low_effort.",
    )
    unlabelled = sorted(theme for theme, label in after.items() if not label)
    yield AssetCheckResult(
        check_name="theme_labels_present",
        asset_key=THEMES_KEY,
        passed=not unlabelled,
        severity=AssetCheckSeverity.WARN,
        metadata={"themes_without_label": len(unlabelled), "first_ids": ", ".join(unlabelled[:10])},
        description="Every theme has a label (no word met the label rules for these themes).",
    )
    yield AssetCheckResult(
        check_name="theme_ids_stable",
        asset_key=THEMES_KEY,
        passed=rebuilt or not changed,
        metadata={"changed_or_vanished": len(changed), "rebuilt": rebuilt},
        description="No theme id or label of the previous run changed or vanished (a rebuild after a new model "
        "version, new rules or new brand groups starts over, and says so).",
    )
