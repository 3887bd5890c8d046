{#- Join condition: `left.c = right.c and ...` for every column c of `columns` (the columns that name one series,
    written once instead of in every join). -#}
{% macro same_values(left, right, columns) -%}
    {%- for column in columns %}{{ ' and ' if not loop.first }}{{ left }}.{{ column }} = {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
