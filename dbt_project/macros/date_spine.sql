{#- Every period (day or month) between a start and an end date per series, as rows.

    bounds: a relation or CTE name with one row per series; key_columns are carried through; start_column and
    end_column are dates (inclusive; for months, first days of months). Unlike dbt.date_spine this needs no
    compile-time query, so the bounds can come from data (and from unit-test fixtures). A series is capped at
    var('date_spine_max_periods') periods. -#}
{% macro date_spine_per_series(bounds, key_columns, start_column, end_column, date_column, datepart='day') -%}
    select
        {% for key in key_columns %}bounds.{{ key }},
        {% endfor %}cast({{ dbt.dateadd(datepart, 'period_offsets.generated_number - 1', 'bounds.' ~ start_column) }} as date)
            as {{ date_column }}
    from {{ bounds }} as bounds
    inner join ({{ dbt.generate_series(var('date_spine_max_periods', 36600)) }}) as period_offsets
        on period_offsets.generated_number - 1
        <= {{ dbt.datediff('bounds.' ~ start_column, 'bounds.' ~ end_column, datepart) }}
{%- endmacro %}
