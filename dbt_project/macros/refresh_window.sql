{#- The window of the Dagster run building this project (`ror refresh --partition`, `ror backfill`, or the
    launchpad's run config; none by default): 'min_date' or 'max_date' as YYYY-MM-DD, '' when there is none (dbt
    run by hand, at parse time, on Spark). The run writes it into config.dbt_refresh_window just
    before dbt starts and removes it after (orchestration/dbt_args.py): a value that changes every day, read at
    execution time, so neither --vars nor an environment variable makes dbt re-parse anything. -#}
{% macro refresh_window(bound) -%}
    {%- if not execute or target.type != 'duckdb' -%}{{ return('') }}{%- endif -%}
    {%- set relation = adapter.get_relation(database=target.database, schema='config', identifier='dbt_refresh_window') -%}
    {%- if relation is none -%}{{ return('') }}{%- endif -%}
    {%- set result = run_query('select ' ~ bound ~ ' from ' ~ relation) -%}
    {{ return(result.columns[0].values()[0] if result.rows | length else '') }}
{%- endmacro %}
