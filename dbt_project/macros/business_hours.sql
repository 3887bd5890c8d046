{#- Local wall-clock time in a brand's time zone (an IANA name, a column or a literal) of a naive UTC timestamp, and
    back. Support hours are local ("09:00 in Europe/London"): converting each day's opening and closing through the
    zone gives the UTC instants whatever the daylight-saving offset of that day. -#}
{% macro utc_to_local(utc_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('utc_to_local')(utc_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(utc_timestamp, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro spark__utc_to_local(utc_timestamp, time_zone) -%}
    from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }})
{%- endmacro %}

{% macro local_to_utc(local_timestamp, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc')(local_timestamp, time_zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp, time_zone) -%}
    timezone('UTC', timezone({{ time_zone }}, {{ local_timestamp }}))
{%- endmacro %}

{% macro spark__local_to_utc(local_timestamp, time_zone) -%}
    to_utc_timestamp({{ local_timestamp }}, {{ time_zone }})
{%- endmacro %}

{#- A timestamp plus a whole number of seconds (null-safe, unlike dbt-spark's dateadd). -#}
{% macro add_seconds(seconds, timestamp) -%}
    {{ return(adapter.dispatch('add_seconds')(seconds, timestamp)) }}
{%- endmacro %}

{% macro default__add_seconds(seconds, timestamp) -%}
    ({{ timestamp }} + to_seconds(cast({{ seconds }} as bigint)))
{%- endmacro %}

{% macro spark__add_seconds(seconds, timestamp) -%}
    ({{ timestamp }} + make_dt_interval(0, 0, 0, cast({{ seconds }} as bigint)))
{%- endmacro %}

{#- ISO day of the week of a date: 1 = Monday ... 7 = Sunday (counted from Monday 1970-01-05, the same on every
    engine; DuckDB's and Spark's own day-of-week functions number the days differently). -#}
{% macro iso_day_of_week(date_column) -%}
    ((({{ dbt.datediff("cast('1970-01-05' as date)", date_column, 'day') }}) % 7 + 7) % 7 + 1)
{%- endmacro %}

{#- An instant's business position, in seconds: the open seconds of the brand's days before its local day plus the
    open seconds of that day before the instant. day: an alias of a row of fct_message_service_levels'
    accumulated business days (open_seconds_before, opens_at_utc, closes_at_utc, open_seconds; opens_at_utc null on
    a closed day). The business seconds between two instants are the difference of their positions. -#}
{% macro business_position(instant, day) -%}
    {{ day }}.open_seconds_before + case
        when {{ day }}.opens_at_utc is null or {{ instant }} <= {{ day }}.opens_at_utc then 0
        when {{ instant }} >= {{ day }}.closes_at_utc then {{ day }}.open_seconds
        else {{ dbt.datediff(day ~ '.opens_at_utc', instant, 'second') }}
    end
{%- endmacro %}
