{#- 64-bit floating point for rates and money: type_double() is a 32-bit REAL on DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}

{#- Money (spend, deal amounts, revenue): an exact decimal, so sums are identical whatever order rows are added in.
    Two decimal places: ad platforms and CRMs report amounts in cents. -#}
{% macro type_money() -%}
    decimal(18, 2)
{%- endmacro %}
