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

{#- A text fit to be read by whoever reads the marts: e-mail addresses become [email] and phone numbers [phone] (a
    run of 9 or more digits, with up to two of space ( ) . - between them, not glued to a letter, / = _ or - before
    it: an id in a URL stays). An order number that long is masked too; better one number too many than a phone.
    An address may hold any letter or digit (\p{L}, \p{N}: josé@correo.es). DuckDB replaces every match only with
    'g'. -#}
{% macro masked_contact_details(text_column) -%}
    {{ return(adapter.dispatch('masked_contact_details')(text_column)) }}
{%- endmacro %}

{% macro duckdb__masked_contact_details(text_column) -%}
    regexp_replace(
        regexp_replace({{ text_column }}, '[\p{L}\p{N}_.%+-]+@[\p{L}\p{N}_-]+([.][\p{L}\p{N}_-]+)+', '[email]', 'g'),
        '(^|[^0-9A-Za-z/=_-])[+]?[0-9]([ ().-]{0,2}[0-9]){8,}', '\1[phone]', 'g'
    )
{%- endmacro %}

{#- Spark's regexp_replace replaces every match and names a group $1 in the replacement; its string literals
    unescape backslashes before the regex sees them (\\p is \p). -#}
{% macro default__masked_contact_details(text_column) -%}
    regexp_replace(
        regexp_replace({{ text_column }}, '[\\p{L}\\p{N}_.%+-]+@[\\p{L}\\p{N}_-]+([.][\\p{L}\\p{N}_-]+)+', '[email]'),
        '(^|[^0-9A-Za-z/=_-])[+]?[0-9]([ ().-]{0,2}[0-9]){8,}', '$1[phone]'
    )
{%- endmacro %}
