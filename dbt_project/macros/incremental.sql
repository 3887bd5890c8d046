{#- How an incremental run replaces what it re-derives, per adapter: the configuration of an incremental model
    whose run replaces every row of the keys it selects.

    key: the column whose values a run replaces whole. key_is_day: the key is a date, so a run's rows are whole days
    (sentiment_trend replaces days). key_is_unique: one row per key (false: int_interaction_mentions_unnested has
    one row per mentioned handle). day: a date column of the model's rows (fct_interactions.created_date) by which
    Spark can partition the table when it cannot replace keys. DuckDB: delete+insert on the key, whatever its rows.
    Spark on Parquet (no row-level deletes): a day key is a partition and the run overwrites the partitions it
    selected (insert_overwrite, the same semantics); any other unique key needs a table format with MERGE (Delta
    Lake, Iceberg: var spark_file_format), which matches a target row with one source row only; otherwise, given a
    day, the table is partitioned by it and the run overwrites the days it touches (the model re-derives those days
    whole: overwrites_days() below); without either the model is rebuilt whole on every run (full_refresh), which
    gives the same table. -#}
{% macro incremental_replace(key, key_is_day=false, key_is_unique=true, day=none) -%}
    {{ return(adapter.dispatch('incremental_replace')(key, key_is_day, key_is_unique, day)) }}
{%- endmacro %}

{% macro default__incremental_replace(key, key_is_day, key_is_unique, day) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': key}) }}
{%- endmacro %}

{% macro spark__incremental_replace(key, key_is_day, key_is_unique, day) -%}
    {%- set file_format = var('spark_file_format', 'parquet') -%}
    {%- if key_is_day -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [key], 'file_format': file_format}) }}
    {%- elif key_is_unique and file_format in ('delta', 'iceberg', 'hudi') -%}
        {{ return({'incremental_strategy': 'merge', 'unique_key': key, 'file_format': file_format}) }}
    {%- elif day -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [day], 'file_format': file_format}) }}
    {%- else -%}
        {{ return({'full_refresh': true, 'file_format': file_format}) }}
    {%- endif -%}
{%- endmacro %}

{#- Whether this model's incremental run overwrites whole day partitions instead of replacing its keys (Spark on
    Parquet, given a day: see incremental_replace). The model then re-derives every row of each day it touches, and
    its day column is a column of the table (the partition). Read from the model's configuration at execution. -#}
{% macro overwrites_days() -%}
    {{ return(config.get('incremental_strategy') == 'insert_overwrite' and config.get('unique_key') is none) }}
{%- endmacro %}

{#- An incremental run's post-hook removing the placeholder rows (column null) a run writes where an interaction's
    new version leaves nothing to replace its old rows with. DuckDB: deletes them. Spark, overwriting days: a
    placeholder stands in for a day left without any row (a partition is overwritten only when the run writes to it),
    so the days holding only placeholders are dropped whole; no other day holds one. -#}
{% macro delete_placeholder_rows(column, day) -%}
    {{ return(adapter.dispatch('delete_placeholder_rows')(column, day)) }}
{%- endmacro %}

{% macro default__delete_placeholder_rows(column, day) -%}
    delete from {{ this }} where {{ column }} is null
{%- endmacro %}

{% macro spark__delete_placeholder_rows(column, day) -%}
    {%- if not overwrites_days() -%}
        {{ return(default__delete_placeholder_rows(column, day)) }}
    {%- endif -%}
    {%- if execute -%}
        {%- set emptied = run_query(
            'select ' ~ day ~ ' from ' ~ this ~ ' group by ' ~ day ~ ' having count(' ~ column ~ ') = 0') -%}
        {%- for emptied_day in emptied.columns[0].values() -%}
            {%- do run_query(
                'alter table ' ~ this ~ ' drop if exists partition (' ~ day ~ " = '" ~ emptied_day ~ "')") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
