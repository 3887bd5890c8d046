{#- A rate whose denominator is zero or null is null, never a division error and never zero. Rounded to
    rate_digits() decimal places so that a rerun gives bit-identical marts (the last bits of a double quotient of
    sums must not depend on the order rows were added in). -#}
{% macro safe_divide(numerator, denominator) -%}
    round(
        cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0),
        {{ rate_digits() }}
    )
{%- endmacro %}

{#- The documented precision of every rate, share, mean and ratio in the marts: 6 decimal places. -#}
{% macro rate_digits() -%}
    6
{%- endmacro %}

{#- A rate-like double (mean, standard deviation, score) rounded to rate_digits() places. -#}
{% macro round_rate(expression) -%}
    round({{ expression }}, {{ rate_digits() }})
{%- endmacro %}

{#- The sum of a double column (a model score) added as exact decimals (6 places), returned as a double: the same
    rows give the same bits whatever order a parallel aggregation adds them in. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, {{ rate_digits() }}))) as {{ type_double() }})
{%- endmacro %}
