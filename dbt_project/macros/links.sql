{#- The value of one query parameter (e.g. utm_campaign) taken from the first URL in a list column that carries it:
    URLs without it, or with it empty, are skipped. Null when no URL carries it or the list is null. Matches the
    parameter like url_parameter (text.sql), so a link and the same link written in a text give the same value. -#}
{% macro first_url_parameter(url_list_column, parameter) -%}
    {{ return(adapter.dispatch('first_url_parameter')(url_list_column, parameter)) }}
{%- endmacro %}

{% macro duckdb__first_url_parameter(url_list_column, parameter) -%}
    list_filter(
        list_transform({{ url_list_column }}, lambda link: regexp_extract(link, '[?&]{{ parameter }}=([^&#\s]+)', 1)),
        lambda value: value <> ''
    )[1]
{%- endmacro %}

{#- Spark: higher-order array functions; try_element_at is null past the end (an empty list), where element_at
    raises under ANSI mode. Backslashes are doubled: Spark unescapes string literals before the regex sees them. -#}
{% macro spark__first_url_parameter(url_list_column, parameter) -%}
    try_element_at(
        filter(
            transform({{ url_list_column }}, link -> regexp_extract(link, '[?&]{{ parameter }}=([^&#\\s]+)', 1)),
            value -> value <> ''
        ),
        1
    )
{%- endmacro %}

{% macro default__first_url_parameter(url_list_column, parameter) -%}
    {{ exceptions.raise_compiler_error(
        "first_url_parameter: no implementation for the " ~ adapter.type() ~ " adapter (add a "
        ~ adapter.type() ~ "__first_url_parameter macro in dbt_project/macros/links.sql)"
    ) }}
{%- endmacro %}
