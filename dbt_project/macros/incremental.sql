{#- How an incremental run replaces what it re-derives, per adapter: the configuration of an incremental model
    whose run replaces every row of the keys it selects.

    key: the column whose values a run replaces whole. key_is_day: the key is a date, so a run's rows are whole days
    (sentiment_trend replaces days). DuckDB: delete+insert on the key. Spark on Parquet (no row-level deletes):
    a day key is a partition and the run overwrites the partitions it selected (insert_overwrite, the same
    semantics); any other key needs a table format with MERGE (Delta Lake, Iceberg: var spark_file_format), and
    without one the model is rebuilt whole on every run (full_refresh), which gives the same table. -#}
{% macro incremental_replace(key, key_is_day=false) -%}
    {{ return(adapter.dispatch('incremental_replace')(key, key_is_day)) }}
{%- endmacro %}

{% macro default__incremental_replace(key, key_is_day) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': key}) }}
{%- endmacro %}

{% macro spark__incremental_replace(key, key_is_day) -%}
    {%- set file_format = var('spark_file_format', 'parquet') -%}
    {%- if key_is_day -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [key], 'file_format': file_format}) }}
    {%- elif file_format in ('delta', 'iceberg', 'hudi') -%}
        {{ return({'incremental_strategy': 'merge', 'unique_key': key, 'file_format': file_format}) }}
    {%- else -%}
        {{ return({'full_refresh': true, 'file_format': file_format}) }}
    {%- endif -%}
{%- endmacro %}
