{#- Raw timestamps are timezone-aware (UTC instants). Downstream models work on naive UTC timestamps so that a cast
    to date gives the UTC date whatever the session's time zone. -#}
{% macro to_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('to_utc_timestamp')(column)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(column) -%}
    cast(({{ column }} at time zone 'UTC') as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro spark__to_utc_timestamp(column) -%}
    to_utc_timestamp({{ column }}, current_timezone())
{%- endmacro %}

{#- The inverse: a naive UTC timestamp as a timezone-aware instant, to compare a raw column with it as it is (a
    comparison of the raw column itself uses the column's statistics and converts nothing per row). -#}
{% macro from_utc_timestamp(column) -%}
    {{ return(adapter.dispatch('from_utc_timestamp')(column)) }}
{%- endmacro %}

{% macro default__from_utc_timestamp(column) -%}
    ({{ column }} at time zone 'UTC')
{%- endmacro %}

{% macro spark__from_utc_timestamp(column) -%}
    from_utc_timestamp({{ column }}, current_timezone())
{%- endmacro %}

{#- Monday of the ISO week of a date, as a date. -#}
{% macro iso_week_start(date_column) -%}
    cast({{ dbt.date_trunc('week', date_column) }} as date)
{%- endmacro %}

{% macro month_start(date_column) -%}
    cast({{ dbt.date_trunc('month', date_column) }} as date)
{%- endmacro %}

{#- Minutes between two timestamps (fractional, from whole seconds), rounded to 2 decimal places (the documented
    precision of every minutes column). -#}
{% macro minutes_between(start_ts, end_ts) -%}
    round(cast({{ dbt.datediff(start_ts, end_ts, 'second') }} as {{ type_double() }}) / 60.0, 2)
{%- endmacro %}

{% macro add_days(days, date_column) -%}
    cast({{ dbt.dateadd('day', days, date_column) }} as date)
{%- endmacro %}
