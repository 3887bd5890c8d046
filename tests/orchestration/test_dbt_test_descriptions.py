"""Each dbt test's asset check says what the test asserts and what its failure does to the run."""

from orchestration.dbt_test_descriptions import describe_dbt_test


def generic_test(name: str, severity: str = "ERROR", description: str = "", **kwargs) -> dict:
    return {
        "name": f"{name}_t",
        "description": description,
        "schema": "dbt_test__audit",
        "alias": f"{name}_t",
        "test_metadata": {"name": name, "kwargs": kwargs, "namespace": None},
        "config": {"severity": severity},
    }


def test_a_generic_test_says_its_rule_and_that_an_error_blocks_publication():
    described = describe_dbt_test(
        generic_test("relationships", column_name="interaction_key", to="ref('fct_interactions')", field="key"),
        "marts.responses",
    )
    assert described.startswith("Every marts.responses.interaction_key exists as fct_interactions.key")
    assert "Blocking" in described and "sample of its failing rows" in described


def test_a_warning_test_says_the_run_goes_on_and_its_own_description_wins():
    described = describe_dbt_test(
        generic_test("accepted_values", "warn", "Channels we sell on.", column_name="channel", values=["paid"]),
        "marts.cost_per_lead",
    )
    assert described.startswith("Channels we sell on. A failure warns and the run goes on.")
