{#- The hand-off between engines: the pipeline exports every raw, enrichment and config table as Parquet
    (orchestration/handoff.py, <ROR_PARQUET_DIR>/<schema>/<table>/). On Spark, on-run-start puts a view over each
    dbt source's folder, so models read source('social', 'interactions') as raw.interactions on either engine.
    DuckDB reads its own tables and needs nothing. -#}
{% macro register_parquet_sources() -%}
    {{ return(adapter.dispatch('register_parquet_sources')()) }}
{%- endmacro %}

{% macro default__register_parquet_sources() -%}
{%- endmacro %}

{% macro spark__register_parquet_sources() -%}
    {%- if execute -%}
        {%- set root = var('ror_parquet_dir', env_var('ROR_PARQUET_DIR', '')) -%}
        {%- if not root -%}
            {{ exceptions.raise_compiler_error(
                "ROR_PARQUET_DIR is not set: point it at the Parquet export of the warehouse (orchestration.handoff)"
            ) }}
        {%- endif -%}
        {%- set schemas = [] -%}
        {%- for source_node in graph.sources.values() -%}
            {%- if source_node.schema not in schemas -%}
                {%- do schemas.append(source_node.schema) -%}
                {%- do run_query("create database if not exists " ~ source_node.schema) -%}
            {%- endif -%}
            {%- do run_query(
                "create or replace view " ~ source_node.schema ~ "." ~ source_node.identifier
                ~ " as select * from parquet.`" ~ root ~ "/" ~ source_node.schema ~ "/" ~ source_node.identifier ~ "`"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
