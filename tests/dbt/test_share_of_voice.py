"""Competitors and share of voice through a real `dbt build` on DuckDB.

1. Tracking competitors changes none of the brand's owned figures: the hand-written fixture warehouse is built twice,
   once with its configuration and once with competitors added (customers the fixture mentions, and another brand's
   own account), and every other mart and the owned attribution must be equal row for row.
2. share_of_voice counts right: a generated week-by-week conversation about a brand and two competitors (mentions of
   one or two of them, replies under their posts, their public answers, customer-to-customer replies, reactions and
   private messages that count for nobody) is built, and every row of the mart must equal an independent recount of
   the raw rows in polars.
3. Themes are found per brand group before dbt runs, from the raw rows and the configuration alone
   (models.theme_tables.group_texts): every interaction dbt attributes to a brand, or tracks for a party of its group,
   must lie in that group's conversation, or its theme would be missing.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml
from dbt.cli.main import dbtRunner
from fixture_warehouse import FIXTURE_CONFIG, load_batches

from ingest.schema import ENTITIES, PROVENANCE
from ingest.text import text_hash
from ingest.warehouse import ensure_raw_schema
from models.cache import ensure_enrichment_table
from models.schema import TEXT_ENRICHMENT
from models.theme_tables import ensure_theme_tables, group_texts
from orchestration.assets.themes import group_accounts
from ror_config import parse_config, write_config_tables

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
OWNED_MARTS = sorted(
    path.stem for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("*.sql") if path.stem != "share_of_voice"
)
OWNED_INTERMEDIATES = ("intermediate.int_interactions_attributed",)

# Competitors added to the fixture configuration: customers the fixture mentions and who write (their ids are found
# from their handles), another configured brand's own account, and a handle nobody mentions.
FIXTURE_COMPETITORS = {
    "northwind": [
        {"id": "alice", "name": "Alice's Brews", "accounts": [{"platform": "x", "handle": "alice_brews"}]},
        {"id": "greg", "name": "Greg Rides", "accounts": [{"platform": "x", "handle": "greg_rides"}]},
    ],
    "lumen": [
        {
            "id": "northwind",
            "name": "Northwind Coffee",
            "accounts": [{"platform": "x", "account_id": "1500000000000000001", "handle": "NorthwindCoffee"}],
        }
    ],
    "tidepool": [{"id": "ghost", "name": "Ghost Skin", "accounts": [{"platform": "x", "handle": "ghostskin"}]}],
}


def run_dbt(*args: str, target_dir: Path) -> None:
    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target_dir),
            "--log-path",
            str(target_dir / "logs"),
        ]
    )
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception or result.result}"


def _build_fixture(root: Path, config_text: str) -> dict[str, list[tuple]]:
    path, target = root / "warehouse.duckdb", root / "target"
    load_batches(path, {1, 2})
    with duckdb.connect(str(path)) as con:
        write_config_tables(con, parse_config(config_text))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(path))
        run_dbt("build", "--exclude", "test_type:unit", target_dir=target)
    with duckdb.connect(str(path)) as con:
        tables = [f"marts.{mart}" for mart in OWNED_MARTS] + list(OWNED_INTERMEDIATES)
        snapshot = {table: con.sql(f"select * from {table} order by all").fetchall() for table in tables}
        snapshot["share_of_voice"] = con.sql("select * from marts.share_of_voice order by all").fetchall()
        snapshot["tracked"] = con.sql(
            "select tracked_id, count(*) from intermediate.int_interactions_tracked_attributed group by all"
        ).fetchall()
        snapshot["outside"] = outside_the_group_conversations(con, config_text)
    return snapshot


def outside_the_group_conversations(con: duckdb.DuckDBPyConnection, config_text: str) -> list[tuple]:
    """(brand_id, interaction_key) of the interactions with a text that dbt attributes to a brand (fct_interactions)
    or tracks for a party of its group (int_interactions_tracked_attributed) whose text is not in that group's
    conversation as the themes asset finds it before dbt runs."""
    group_texts(con, group_accounts(parse_config(config_text)))
    return con.sql(
        """
        with attributed as (
            select brand_id, interaction_key, text_hash from marts.fct_interactions
            where brand_id is not null and text_hash is not null
            union
            select tracked.brand_id, tracked.interaction_key, interactions.text_hash
            from intermediate.int_interactions_tracked_attributed as tracked
            inner join marts.fct_interactions as interactions using (interaction_key)
            where interactions.text_hash is not null
        )
        select brand_id, interaction_key from attributed anti join group_texts using (brand_id, text_hash)
        order by all
        """
    ).fetchall()


def test_tracking_competitors_changes_none_of_the_owned_marts(tmp_path_factory: pytest.TempPathFactory):
    config_text = FIXTURE_CONFIG.read_text()
    document = yaml.safe_load(config_text)
    for brand in document["brands"]:
        brand["competitors"] = FIXTURE_COMPETITORS[brand["id"]]

    without = _build_fixture(tmp_path_factory.mktemp("without_competitors"), config_text)
    with_competitors = _build_fixture(tmp_path_factory.mktemp("with_competitors"), yaml.safe_dump(document))

    # the competitors are really tracked: their mentions are counted in share_of_voice ...
    tracked = dict(with_competitors["tracked"])
    assert tracked["alice"] > 0 and tracked["greg"] > 0 and tracked["northwind"] > 0
    assert {row[3] for row in with_competitors["share_of_voice"]} > {row[3] for row in without["share_of_voice"]}
    # every interaction of a brand, or of a party of its group, is in the conversation its group's themes come from
    assert without["outside"] == [] and with_competitors["outside"] == []
    # ... and none of the brand's owned figures moves
    for table in [f"marts.{mart}" for mart in OWNED_MARTS] + list(OWNED_INTERMEDIATES):
        assert with_competitors[table] == without[table], f"{table} changed when competitors were tracked"


# --- share_of_voice against an independent recount -------------------------------------------------------------

BRAND = {"id": "acme", "account_id": "100", "handle": "AcmeCoffee"}
COMPETITORS = [
    {"id": "rival", "name": "Rival Roasters", "account_id": "200", "handle": "RivalRoasters", "configured_id": True},
    # given by handle alone: its id is found because it posts
    {"id": "beanco", "name": "BeanCo", "account_id": "300", "handle": "BeanCo", "configured_id": False},
]
PARTIES = [{"name": "Acme Coffee", "configured_id": True, **BRAND}, *COMPETITORS]
CONFIG = yaml.safe_dump(
    {
        "brands": [
            {
                "id": BRAND["id"],
                "name": "Acme Coffee",
                "accounts": [{"platform": "x", "account_id": BRAND["account_id"], "handle": BRAND["handle"]}],
                "competitors": [
                    {
                        "id": competitor["id"],
                        "name": competitor["name"],
                        "accounts": [
                            {"platform": "x", "handle": competitor["handle"]}
                            | ({"account_id": competitor["account_id"]} if competitor["configured_id"] else {})
                        ],
                    }
                    for competitor in COMPETITORS
                ],
            }
        ]
    }
)
TEXTS = {
    "love it, best coffee in town": "positive",
    "my order never arrived": "negative",
    "does it come in decaf?": "neutral",
    "switched last month and happy": "positive",
    "terrible service again": "negative",
    "new post from us": "neutral",
    "thanks for writing, we are on it": "positive",
}
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
SEED = 26


def _conversation() -> list[dict]:
    """Three weeks of X traffic about the three parties, deterministic (seeded)."""
    rng = random.Random(SEED)
    rows: list[dict] = []
    customers = [(f"9{n:03d}", f"customer_{n}") for n in range(30)]
    audience_texts = [text for text in TEXTS if text not in ("new post from us", "thanks for writing, we are on it")]

    def add(kind: str, author: tuple[str, str], at: datetime, **fields) -> dict:
        row = {
            "interaction_id": str(1000 + len(rows)),
            "interaction_type": kind,
            "created_at": at,
            "author_id": author[0],
            "author_handle": author[1],
            "text": fields.pop("text", rng.choice(audience_texts)),
            "like_count": rng.choice([None, 0, 1, 3, 8]),
            "reply_count": rng.choice([None, 0, 1]),
            "share_count": rng.choice([0, 2]),
            "quote_count": rng.choice([None, 0, 1]),
            **fields,
        }
        row.setdefault("conversation_id", row["interaction_id"])
        rows.append(row)
        return row

    def answer(party: dict, message: dict) -> None:
        at = message["created_at"] + timedelta(minutes=rng.choice([5, 45, 180, 1500]))
        add(
            "reply",
            (party["account_id"], party["handle"]),
            at,
            text="thanks for writing, we are on it",
            parent_id=message["interaction_id"],
            conversation_id=message["conversation_id"],
            in_reply_to_author_id=message["author_id"],
            mentioned_handles=[message["author_handle"]],
        )

    for day in range(21):
        moment = START + timedelta(days=day)
        for party in PARTIES:  # each party posts; customers reply under it and like it
            if day % 3 == 0:
                post = add("post", (party["account_id"], party["handle"]), moment, text="new post from us")
                # distinct authors: one author's second message in a thread would make an answer to it answer the
                # first too (the follow-up rule, covered by the dbt unit test), which this recount leaves out
                for n, customer in enumerate(rng.sample(customers, rng.randint(0, 3))):
                    reply = add(
                        "reply",
                        customer,
                        moment + timedelta(hours=1 + n),
                        parent_id=post["interaction_id"],
                        conversation_id=post["interaction_id"],
                        in_reply_to_author_id=party["account_id"],
                        mentioned_handles=[party["handle"]],
                    )
                    if rng.random() < 0.5:
                        answer(party, reply)
                add(
                    "reaction",
                    rng.choice(customers),
                    moment + timedelta(hours=2),
                    text=None,
                    parent_id=post["interaction_id"],
                )
        for n in range(rng.randint(2, 6)):  # customers name one or two of the parties
            named = rng.sample(PARTIES, rng.choice([1, 1, 2]))
            mention = add(
                "mention",
                rng.choice(customers),
                moment + timedelta(hours=3, minutes=7 * n),
                mentioned_handles=[party["handle"] for party in named],
            )
            for party in PARTIES:  # a party sometimes answers a mention, even one about another party only
                if rng.random() < (0.5 if party in named else 0.1):
                    answer(party, mention)
            if rng.random() < 0.3:  # another customer replies to the first, with the thread's handles (X adds them)
                add(
                    "reply",
                    rng.choice([customer for customer in customers if customer[0] != mention["author_id"]]),
                    mention["created_at"] + timedelta(minutes=30),
                    parent_id=mention["interaction_id"],
                    conversation_id=mention["interaction_id"],
                    in_reply_to_author_id=mention["author_id"],
                    mentioned_handles=[mention["author_handle"], *mention["mentioned_handles"]],
                )
        add("message", rng.choice(customers), moment + timedelta(hours=5), in_reply_to_author_id=BRAND["account_id"])
    return rows


def _load_conversation(path: Path, rows: list[dict]) -> None:
    schema = ENTITIES["interactions"]
    frame = pl.DataFrame(
        [{column: row.get(column) for column in schema} | {"platform": "x", "record_version": 0} for row in rows],
        schema=schema,
    ).with_columns(pl.col("text").map_elements(text_hash, return_dtype=pl.String).alias("text_hash"))
    frame = frame.with_row_index("_source_line", offset=1).with_columns(
        pl.lit("generated/conversation.jsonl").alias("_source_file"),
        pl.col("_source_line").cast(pl.Int64),
        pl.col("interaction_id").alias("_record_hash"),
        pl.lit("batch-1").alias("_batch_id"),
        pl.lit(START + timedelta(days=30)).dt.cast_time_unit("us").alias("_ingested_at"),
    )
    enrichment = pl.DataFrame(
        [
            {"text_hash": text_hash(text), "model_name": "test", "model_version": "v1", "sentiment_label": label}
            | {"enriched_at": START + timedelta(days=30)}
            for text, label in TEXTS.items()
        ],
    )
    enrichment = enrichment.with_columns(
        [pl.lit(None, dtype).alias(name) for name, dtype in TEXT_ENRICHMENT.items() if name not in enrichment.columns]
    ).select([pl.col(name).cast(dtype) for name, dtype in TEXT_ENRICHMENT.items()])
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
        ensure_enrichment_table(con)
        ensure_theme_tables(con)  # empty: no theme here, but fct_interactions reads the tables
        for table, data in (
            ("raw.interactions", frame.select(*schema, *PROVENANCE)),
            ("enrichment.text_enrichment", enrichment),
        ):
            parquet = Path(scratch) / f"{table}.parquet"
            data.write_parquet(parquet)
            con.execute(f"insert into {table} by name select * from read_parquet('{parquet}')")
        write_config_tables(con, parse_config(CONFIG))


def _recount(rows: list[dict]) -> pl.DataFrame:
    """share_of_voice from the raw rows, written from the definitions (model YAML), not from the SQL."""
    by_id = {row["interaction_id"]: row for row in rows}
    party_of_account = {party["account_id"]: party for party in PARTIES}
    party_handles = {party["handle"].lower() for party in PARTIES}
    counted = []
    for row in rows:
        if row["author_id"] in party_of_account or row["author_handle"].lower() in party_handles:
            continue  # the parties' own voice
        if row["interaction_type"] in ("reaction", "follow", "message"):
            continue  # not public talk about anyone
        answers = [
            answer
            for answer in rows
            if answer.get("parent_id") == row["interaction_id"] and answer["author_id"] in party_of_account
        ]
        parent = by_id.get(row.get("parent_id"))
        for party in PARTIES:
            mine = [answer for answer in answers if answer["author_id"] == party["account_id"]]
            about = (
                party["handle"].lower() in {handle.lower() for handle in row.get("mentioned_handles") or []}
                or row.get("in_reply_to_author_id") == party["account_id"]
                or (parent is not None and parent["author_id"] == party["account_id"])
                or bool(mine)
            )
            if not about:
                continue
            to_someone_else = row["interaction_type"] == "reply" and row.get("in_reply_to_author_id") not in (
                None,
                row["author_id"],
                party["account_id"],
            )
            expects = row["interaction_type"] in ("mention", "reply") and not to_someone_else
            first = min(
                (answer["created_at"] for answer in mine if answer["created_at"] > row["created_at"]), default=None
            )
            counted.append(
                {
                    "week_start_date": (row["created_at"] - timedelta(days=row["created_at"].weekday())).date(),
                    "tracked_id": party["id"],
                    "sentiment": TEXTS[row["text"]],
                    "engagements": sum(
                        row[key] or 0 for key in ("like_count", "reply_count", "share_count", "quote_count")
                    ),
                    "expects": expects,
                    "answered": expects and first is not None,
                }
            )
    mentions = pl.DataFrame(counted)
    per_party = mentions.group_by("week_start_date", "tracked_id").agg(
        pl.len().alias("mentions"),
        # counts as signed integers: a sum of booleans is unsigned, and positive - negative may be below 0
        (pl.col("sentiment") == "positive").sum().cast(pl.Int64).alias("positive"),
        (pl.col("sentiment") == "negative").sum().cast(pl.Int64).alias("negative"),
        pl.col("engagements").sum(),
        pl.col("expects").sum().cast(pl.Int64),
        pl.col("answered").sum().cast(pl.Int64),
    )
    weeks = per_party.select("week_start_date").unique()
    every_party = weeks.join(pl.DataFrame({"tracked_id": [party["id"] for party in PARTIES]}), how="cross")
    filled = every_party.join(per_party, on=["week_start_date", "tracked_id"], how="left").fill_null(0)
    return (
        filled.with_columns(
            (pl.col("mentions") / pl.col("mentions").sum().over("week_start_date")).round(6).alias("share_of_mentions"),
            ((pl.col("positive") - pl.col("negative")) / pl.col("mentions")).round(6).alias("net_sentiment"),
            (pl.col("engagements") / pl.col("mentions")).round(6).alias("engagement_per_mention"),
            (pl.col("answered") / pl.col("expects")).round(6).alias("response_rate"),
        )
        .with_columns(  # a rate over nothing is null, never 0 or NaN
            pl.when(pl.col("mentions") > 0).then(pl.col(name)).alias(name)
            for name in ("net_sentiment", "engagement_per_mention")
        )
        .with_columns(pl.when(pl.col("expects") > 0).then(pl.col("response_rate")).alias("response_rate"))
    )


def test_share_of_voice_equals_an_independent_recount(tmp_path: Path):
    rows = _conversation()
    path, target = tmp_path / "warehouse.duckdb", tmp_path / "target"
    _load_conversation(path, rows)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROR_WORK_DB", str(path))
        run_dbt(
            "build",
            "--select",
            "+share_of_voice",
            "--indirect-selection",
            "cautious",
            "--exclude",
            "test_type:unit",
            target_dir=target,
        )
    columns = (
        "week_start_date, tracked_id, mentions, positive_mentions, negative_mentions, engagements, "
        "mentions_expecting_response, mentions_answered, share_of_mentions, net_sentiment, engagement_per_mention, "
        "response_rate"
    )
    with duckdb.connect(str(path)) as con:
        built = con.sql(f"select {columns} from marts.share_of_voice order by week_start_date, tracked_id").fetchall()
        kinds = dict(con.sql("select distinct tracked_id, tracked_kind from marts.share_of_voice").fetchall())
        # the mentions of the brand and of its competitors are all in the conversation its themes come from
        assert outside_the_group_conversations(con, CONFIG) == []

    expected = _recount(rows).sort("week_start_date", "tracked_id")
    expected_rows = expected.select(
        "week_start_date",
        "tracked_id",
        "mentions",
        "positive",
        "negative",
        "engagements",
        "expects",
        "answered",
        "share_of_mentions",
        "net_sentiment",
        "engagement_per_mention",
        "response_rate",
    ).rows()
    assert len(expected_rows) == 9  # three weeks x three parties
    assert built == expected_rows
    assert kinds == {"acme": "brand", "rival": "competitor", "beanco": "competitor"}
