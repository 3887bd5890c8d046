{#- Continuous percentile (interpolated), e.g. the median at 0.5 and the p90 at 0.9. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- The value of `value` on the row with the greatest `ordering` in each group, a null value included (DuckDB's
    arg_max would skip it). A hash aggregate: one pass, where row_number() over the same partition sorts every row
    of the group (int_people_linked: a person's whole history). `ordering` must be unique within a group and
    non-null: build it with ordering_key(). -#}
{% macro value_at_max(value, ordering) -%}
    {{ return(adapter.dispatch('value_at_max')(value, ordering)) }}
{%- endmacro %}

{% macro default__value_at_max(value, ordering) -%}
    max_by({{ value }}, {{ ordering }})
{%- endmacro %}

{% macro duckdb__value_at_max(value, ordering) -%}
    arg_max_null({{ value }}, {{ ordering }})
{%- endmacro %}

{#- A composite ordering for value_at_max(): compared field by field, as `order by` the expressions would. A null
    field compares equal to another null, so put `expression is not null` before a nullable expression to rank its
    nulls lowest (`order by ... desc` in DuckDB and Spark: nulls last). -#}
{% macro ordering_key(expressions) -%}
    {{ return(adapter.dispatch('ordering_key')(expressions)) }}
{%- endmacro %}

{% macro default__ordering_key(expressions) -%}
    struct({{ expressions | join(', ') }})
{%- endmacro %}

{% macro duckdb__ordering_key(expressions) -%}
    row({{ expressions | join(', ') }})
{%- endmacro %}
