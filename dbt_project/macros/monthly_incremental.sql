{#- The month starts from which an incremental monthly mart (advocacy_monthly, ror_scorecard) must be rebuilt: one
    row per reason, null where a reason finds nothing; the model takes the earliest.

    - a thread re-derived by fct_interactions since the last build (its loaded-at mark is past the stored months'):
      any interaction, not only the model's own audience, since an earlier first observed month changes the
      first-month figures;
    - a month whose audience interaction count per brand differs from the stored one (an interaction attributed to
      another brand or to none since);
    - given a run window (min_date), the months from min_date - lookback_days on.

    interactions, current_months, stored_months: the names of the model's CTEs (interactions with created_date and
    thread_loaded_at_utc; current_months and stored_months with activity_month, brand_id, audience_interactions;
    stored_months with interactions_loaded_at_utc). -#}
{% macro changed_month_starts(interactions, current_months, stored_months, min_date, lookback_days) -%}
    select {{ month_start('min(created_date)') }} as activity_month
    from {{ interactions }}
    where thread_loaded_at_utc > (select max(interactions_loaded_at_utc) from {{ stored_months }})
    union all
    select min(coalesce({{ current_months }}.activity_month, {{ stored_months }}.activity_month)) as activity_month
    from {{ current_months }}
    full outer join {{ stored_months }}
        on {{ current_months }}.activity_month = {{ stored_months }}.activity_month
        and {{ current_months }}.brand_id = {{ stored_months }}.brand_id
    where {{ current_months }}.audience_interactions is distinct from {{ stored_months }}.audience_interactions
    {% if min_date %}
    union all
    select {{ month_start(add_days(-1 * lookback_days, "cast('" ~ min_date ~ "' as date)")) }} as activity_month
    {% endif %}
{%- endmacro %}
