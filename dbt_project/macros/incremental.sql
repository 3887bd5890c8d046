{#- How an incremental run replaces what it re-derives, per adapter: the configuration of an incremental model
    whose run replaces every row of the keys it selects.

    key: the column whose values a run replaces whole. key_is_day: the key is a date, so a run's rows are whole days
    (sentiment_trend replaces days). key_is_unique: one row per key (false: int_interaction_mentions_unnested has
    one row per mentioned handle). DuckDB: delete+insert on the key, whatever its rows. Spark on Parquet (no
    row-level deletes): a day key is a partition and the run overwrites the partitions it selected (insert_overwrite,
    the same semantics); any other unique key needs a table format with MERGE (Delta Lake, Iceberg: var
    spark_file_format), which matches a target row with one source row only; otherwise the model is rebuilt whole on
    every run (full_refresh), which gives the same table. -#}
{% macro incremental_replace(key, key_is_day=false, key_is_unique=true) -%}
    {{ return(adapter.dispatch('incremental_replace')(key, key_is_day, key_is_unique)) }}
{%- endmacro %}

{% macro default__incremental_replace(key, key_is_day, key_is_unique) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': key}) }}
{%- endmacro %}

{% macro spark__incremental_replace(key, key_is_day, key_is_unique) -%}
    {%- set file_format = var('spark_file_format', 'parquet') -%}
    {%- if key_is_day -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [key], 'file_format': file_format}) }}
    {%- elif key_is_unique and file_format in ('delta', 'iceberg', 'hudi') -%}
        {{ return({'incremental_strategy': 'merge', 'unique_key': key, 'file_format': file_format}) }}
    {%- else -%}
        {{ return({'full_refresh': true, 'file_format': file_format}) }}
    {%- endif -%}
{%- endmacro %}
