{#- Unit-test fixtures on Spark: dbt writes a list cell of a fixture row (link_urls: ["a", "b"]) as the list literal
    ['a', 'b'], which DuckDB reads and Spark does not. On Spark a list literal becomes array('a', 'b'); everything else
    is dbt-spark's own safe_cast. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- if field is string and type.lower().startswith('array') and field.startswith('[') and field.endswith(']') -%}
        cast(array({{ field[1:-1] }}) as {{ type }})
    {%- else -%}
        {{ spark.spark__safe_cast(field, type) }}
    {%- endif -%}
{%- endmacro %}
