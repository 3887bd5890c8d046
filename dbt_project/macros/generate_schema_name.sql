{#- Custom schemas are used verbatim (staging, intermediate, marts, seeds) instead of dbt's default
    <target_schema>_<custom_schema>, so BI tools and the publication step find the same names in every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
