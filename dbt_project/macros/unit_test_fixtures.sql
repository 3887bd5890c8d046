{#- Unit-test fixtures on Spark: dbt hands a list cell of a fixture row (link_urls: ["a", "b"]) to safe_cast as the
    list itself, which renders as the literal ['a', 'b']: DuckDB reads it, Spark does not. On Spark a list becomes
    array('a', 'b'). The other branches are dbt-spark's own safe_cast (a quoted struct, array or map literal is
    unquoted: Spark cannot cast text to them). -#}
{% macro spark__safe_cast(field, type) -%}
    {%- set is_complex = type.lower().startswith(('array', 'struct', 'map')) -%}
    {%- if field is iterable and field is not string and field is not mapping -%}
        cast(array(
            {%- for item in field -%}
                {{ dbt.string_literal(dbt.escape_single_quotes(item)) if item is string else item }}
                {{- ', ' if not loop.last }}
            {%- endfor -%}
        ) as {{ type }})
    {%- elif field is string and is_complex -%}
        cast({{ field.strip('"').strip("'") }} as {{ type }})
    {%- else -%}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}
