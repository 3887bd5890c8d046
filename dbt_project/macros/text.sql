{#- The value of one query parameter (e.g. utm_campaign) in a URL or in text holding URLs; null when absent. -#}
{% macro url_parameter(text_column, parameter) -%}
    {{ return(adapter.dispatch('url_parameter')(text_column, parameter)) }}
{%- endmacro %}

{% macro default__url_parameter(text_column, parameter) -%}
    nullif(regexp_extract({{ text_column }}, '[?&]{{ parameter }}=([^&#\s]+)', 1), '')
{%- endmacro %}

{#- Spark unescapes string literals before the regex sees them: the backslash of \s is doubled. -#}
{% macro spark__url_parameter(text_column, parameter) -%}
    nullif(regexp_extract({{ text_column }}, '[?&]{{ parameter }}=([^&#\\s]+)', 1), '')
{%- endmacro %}

{#- One row per element of a list column (mentioned_handles): the set-returning expression for a select list. -#}
{% macro unnest_list(list_column) -%}
    {{ return(adapter.dispatch('unnest_list')(list_column)) }}
{%- endmacro %}

{% macro default__unnest_list(list_column) -%}
    unnest({{ list_column }})
{%- endmacro %}

{% macro spark__unnest_list(list_column) -%}
    explode({{ list_column }})
{%- endmacro %}

{#- Number of elements of a list column; null for a null list. -#}
{% macro list_length(list_column) -%}
    {{ return(adapter.dispatch('list_length')(list_column)) }}
{%- endmacro %}

{% macro default__list_length(list_column) -%}
    cardinality({{ list_column }})
{%- endmacro %}

{% macro duckdb__list_length(list_column) -%}
    len({{ list_column }})
{%- endmacro %}

{% macro spark__list_length(list_column) -%}
    size({{ list_column }})
{%- endmacro %}
