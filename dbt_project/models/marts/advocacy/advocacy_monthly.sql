{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('activity_month', key_is_day=true)
    )
}}

-- Per month (UTC) x brand: referral rate, the advocacy ladder, employee advocacy and the viral coefficient.
-- Population: audience people (not brand accounts, not employees) who interacted with the brand in the month.
-- Ladder, each step the people of the previous step who also meet its condition (so step conversions are <= 1):
--   engager   interacted with the brand in the month;
--   repeat    has at least 2 interactions with the brand up to the month's end (the engager-to-repeat rate is
--             null in the warehouse's first observed month: earlier interactions were not observed);
--   advocate  at least var('advocate_min_positive_interactions') positive interactions and one referral action in
--             the var('advocate_window_days') days ending on the month's last day;
--   lead      linked to a CRM contact (social handle) that became a lead by the month's end;
--   customer  that contact became a customer by the month's end.
-- Viral coefficient K = shares per participant x participants recruited per share = share-recruited engagers /
-- engagers. Exports never say who saw a share (and replies never hang under a retweet), so recruitment is read from
-- timing: a share-recruited engager's first interaction with the brand ever is on an owned post that another
-- audience member shared or quoted in the var('viral_window_days') days before it. Zero when nobody was, null
-- without engagers and in the warehouse's first observed month (every engager's first interaction would look like
-- their first ever there: earlier interactions were not observed).
-- Employee advocacy: employees' interactions and referral actions; potential impressions add the employee's followers
-- once per referral action, potential reach once per employee who made one.
--
-- Incremental (replacing whole months, macros/incremental.sql: delete+insert on DuckDB, insert_overwrite of the
-- activity_month partitions on Spark). A run rebuilds every month from the first changed month on: the earliest month
-- of an interaction fct_interactions re-derived since the last run (interactions_loaded_at_utc is the high-water
-- mark), of a brand-month whose audience interaction count changed (an interaction attributed to another brand or to
-- none), or, given a window (var('min_date'), else the Dagster run's), of min_date - lookback_days. Every column of a
-- month depends only on interactions up to its end, so earlier months keep theirs, except the two that read other
-- tables: the advocates' CRM status (advocate_leads, advocate_customers: the ladder of the people linked to a CRM
-- contact, few, recomputed over their whole history) and the employee columns (employees' interactions, a small
-- share, recomputed whole). An earlier month where either differs is rewritten with the new values. The ladder of a
-- rebuilt month reads the interactions from max(advocate_window_days, viral_window_days) days before its first day;
-- older interactions count only in interactions_to_date (a count per person) and the first interaction (a minimum).
{%- set min_date = var('min_date') or refresh_window('min_date') %}
{%- set lookback_days = var('lookback_days') | int %}
{%- set read_days = [var('advocate_window_days') | int, var('viral_window_days') | int] | max %}
{%- set crm_columns = ['advocate_leads', 'advocate_customers'] %}
{%- set employee_columns = ['employee_interactions', 'employee_referral_actions',
    'employee_referral_potential_impressions', 'employee_referral_potential_reach'] %}
{%- set month_end = add_days(-1, dbt.dateadd('month', 1, 'person_months.activity_month')) %}
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

people as (

    select * from {{ ref('int_people_linked') }}

),

contacts as (

    select * from {{ ref('int_contacts_attributed') }}

),

-- people linked to a CRM contact: their ladder is computed over their whole history (see the header)
linked_people as (

    select person_key
    from people
    where contact_key is not null

),

brand_interactions as (

    select
        interactions.*,
        {{ dbt.concat(["interactions.platform", "':'", "interactions.author_id"]) }} as person_key,
        {{ month_start('interactions.created_date') }} as activity_month,
        linked_people.person_key is not null as is_linked_person
    from interactions
    left join linked_people
        on {{ dbt.concat(["interactions.platform", "':'", "interactions.author_id"]) }} = linked_people.person_key
    where not interactions.is_brand_author
        and interactions.brand_id is not null

),
{% if is_incremental() %}

stored_months as (

    select * from {{ this }}

),

current_months as (

    select brand_id, activity_month, count(*) as audience_interactions
    from brand_interactions
    where is_audience
    group by brand_id, activity_month

),

-- the first month rebuilt whole (see the header); '9999-12-01' when none is
rebuild_from as (

    select coalesce(min(activity_month), cast('9999-12-01' as date)) as activity_month
    from (
        {{ changed_month_starts('interactions', 'current_months', 'stored_months', min_date, lookback_days) }}
    ) as candidates

),

-- interactions before what the ladder reads, counted per person (the running total's start)
earlier_interactions as (

    select brand_interactions.brand_id, brand_interactions.person_key, count(*) as interactions
    from brand_interactions
    cross join rebuild_from
    where brand_interactions.created_date < {{ add_days(-1 * read_days, 'rebuild_from.activity_month') }}
        and not brand_interactions.is_linked_person
    group by brand_interactions.brand_id, brand_interactions.person_key

),
{% endif %}

-- what the ladder reads: everything in a full build; in an incremental run, the interactions from read_days before
-- the first rebuilt month on, and the linked people's whole history
ladder_interactions as (

    select brand_interactions.*
    from brand_interactions
    {% if is_incremental() %}
    cross join rebuild_from
    where brand_interactions.created_date >= {{ add_days(-1 * read_days, 'rebuild_from.activity_month') }}
        or brand_interactions.is_linked_person
    {% endif %}

),

person_months as (

    select
        brand_id,
        activity_month,
        person_key,
        is_linked_person,
        count(*) as audience_interactions,
        count(case when is_referral_action then 1 end) as referral_actions,
        count(case when is_brand_content_share then 1 end) as brand_content_shares,
        max(thread_loaded_at_utc) as interactions_loaded_at_utc
    from ladder_interactions
    where is_audience
    group by brand_id, activity_month, person_key, is_linked_person

),

-- The ladder's history per person, brand and day: one row a day instead of one an interaction, so a month reads
-- the person's days, not every interaction they ever wrote (the months x interactions self-join of a heavy poster).
person_days as (

    select
        brand_id,
        person_key,
        activity_month,
        created_date,
        count(*) as interactions,
        count(case when sentiment_label = 'positive' then 1 end) as positive_interactions,
        count(case when is_referral_action then 1 end) as referral_actions
    from ladder_interactions
    group by brand_id, person_key, activity_month, created_date

),

person_month_interactions as (

    select brand_id, person_key, activity_month, sum(interactions) as interactions
    from person_days
    group by brand_id, person_key, activity_month

),

-- interactions with the brand up to the month's end: a running total over the person's months (plus, in an
-- incremental run, the person's interactions before what the ladder reads)
person_months_to_date as (

    select
        person_month_interactions.brand_id,
        person_month_interactions.person_key,
        person_month_interactions.activity_month,
        sum(person_month_interactions.interactions) over (
            partition by person_month_interactions.brand_id, person_month_interactions.person_key
            order by person_month_interactions.activity_month
            rows between unbounded preceding and current row
        )
        {% if is_incremental() %} + coalesce(earlier_interactions.interactions, 0){% endif %} as interactions_to_date
    from person_month_interactions
    {% if is_incremental() %}
    left join earlier_interactions
        on person_month_interactions.brand_id = earlier_interactions.brand_id
        and person_month_interactions.person_key = earlier_interactions.person_key
    {% endif %}

),

-- positive interactions and referral actions in the advocate window ending on the month's last day
person_month_windows as (

    select
        person_months.brand_id,
        person_months.activity_month,
        person_months.person_key,
        sum(person_days.positive_interactions) as positive_interactions_in_window,
        sum(person_days.referral_actions) as referral_actions_in_window
    from person_months
    inner join person_days
        on person_months.brand_id = person_days.brand_id
        and person_months.person_key = person_days.person_key
        and person_days.created_date <= {{ month_end }}
        and person_days.created_date > {{ add_days(-1 * (var('advocate_window_days') | int), month_end) }}
    group by person_months.brand_id, person_months.activity_month, person_months.person_key

),

person_month_history as (

    select
        person_months.brand_id,
        person_months.activity_month,
        person_months.person_key,
        person_months.is_linked_person,
        person_months.audience_interactions,
        person_months.referral_actions,
        person_months.brand_content_shares,
        person_months.interactions_loaded_at_utc,
        person_months_to_date.interactions_to_date,
        coalesce(person_month_windows.positive_interactions_in_window, 0) as positive_interactions_in_window,
        coalesce(person_month_windows.referral_actions_in_window, 0) as referral_actions_in_window,
        {{ month_end }} as month_end_date
    from person_months
    inner join person_months_to_date
        on person_months.brand_id = person_months_to_date.brand_id
        and person_months.person_key = person_months_to_date.person_key
        and person_months.activity_month = person_months_to_date.activity_month
    left join person_month_windows
        on person_months.brand_id = person_month_windows.brand_id
        and person_months.person_key = person_month_windows.person_key
        and person_months.activity_month = person_month_windows.activity_month

),

ladder as (

    select
        person_month_history.*,
        person_month_history.interactions_to_date >= 2 as is_repeat,
        person_month_history.interactions_to_date >= 2
            and person_month_history.positive_interactions_in_window >= {{ var('advocate_min_positive_interactions') }}
            and person_month_history.referral_actions_in_window >= 1 as is_advocate,
        cast(contacts.lead_at_utc as date) <= person_month_history.month_end_date as is_lead_by_month_end,
        cast(contacts.customer_at_utc as date) <= person_month_history.month_end_date as is_customer_by_month_end
    from person_month_history
    left join people
        on person_month_history.person_key = people.person_key
    left join contacts
        on people.contact_key = contacts.contact_key
        and person_month_history.brand_id = contacts.brand_id

),

-- A share-recruited engager's first interaction with the brand ever: the earliest (then the lowest key) of their
-- audience interactions; a minimum over the whole history, then only the interactions at that minimum.
first_interaction_times as (

    select brand_id, person_key, min(created_at_utc) as first_interaction_at_utc
    from brand_interactions
    where is_audience
    group by brand_id, person_key

),

first_interactions_ranked as (

    select
        ladder_interactions.platform,
        ladder_interactions.owned_content_id,
        ladder_interactions.author_id,
        ladder_interactions.brand_id,
        ladder_interactions.activity_month,
        ladder_interactions.created_at_utc,
        ladder_interactions.person_key,
        row_number() over (
            partition by ladder_interactions.brand_id, ladder_interactions.person_key
            order by ladder_interactions.interaction_key
        ) as interaction_rank
    from ladder_interactions
    inner join first_interaction_times
        on ladder_interactions.brand_id = first_interaction_times.brand_id
        -- an interaction without an author id has no person key: those are one "person", as in the ladder
        and coalesce(ladder_interactions.person_key, '') = coalesce(first_interaction_times.person_key, '')
        and ladder_interactions.created_at_utc = first_interaction_times.first_interaction_at_utc
    where ladder_interactions.is_audience

),

audience_shares as (

    select platform, owned_content_id, author_id, brand_id, created_at_utc
    from ladder_interactions
    where is_audience and is_brand_content_share

),

share_recruited as (

    select distinct
        first_interactions_ranked.brand_id,
        first_interactions_ranked.activity_month,
        first_interactions_ranked.person_key
    from first_interactions_ranked
    inner join audience_shares
        on first_interactions_ranked.platform = audience_shares.platform
        and first_interactions_ranked.brand_id = audience_shares.brand_id
        and first_interactions_ranked.owned_content_id = audience_shares.owned_content_id
        and first_interactions_ranked.author_id <> audience_shares.author_id
        and audience_shares.created_at_utc < first_interactions_ranked.created_at_utc
        and audience_shares.created_at_utc >= {{ dbt.dateadd(
            'day', -1 * (var('viral_window_days') | int), 'first_interactions_ranked.created_at_utc') }}
    where first_interactions_ranked.interaction_rank = 1

),

viral_counts as (

    select brand_id, activity_month, count(*) as share_recruited_engagers
    from share_recruited
    group by brand_id, activity_month

),

ladder_counts as (

    select
        brand_id,
        activity_month,
        count(*) as engagers,
        count(case when referral_actions > 0 then 1 end) as referring_engagers,
        count(case when is_repeat then 1 end) as ladder_repeat_engagers,
        count(case when is_advocate then 1 end) as advocates,
        count(case when is_advocate and is_lead_by_month_end then 1 end) as advocate_leads,
        count(case when is_advocate and is_lead_by_month_end and is_customer_by_month_end then 1 end)
            as advocate_customers,
        cast(sum(audience_interactions) as {{ dbt.type_bigint() }}) as audience_interactions,
        cast(sum(brand_content_shares) as {{ dbt.type_bigint() }}) as audience_brand_content_shares,
        max(interactions_loaded_at_utc) as interactions_loaded_at_utc
    from ladder
    {% if is_incremental() %}
    where activity_month >= (select activity_month from rebuild_from)
    {% endif %}
    group by brand_id, activity_month

),
{% if is_incremental() %}

-- before the first rebuilt month: the advocates' CRM status from the linked people's ladder (the others have none)
linked_ladder_counts as (

    select
        brand_id,
        activity_month,
        count(case when is_advocate and is_lead_by_month_end then 1 end) as advocate_leads,
        count(case when is_advocate and is_lead_by_month_end and is_customer_by_month_end then 1 end)
            as advocate_customers
    from ladder
    where activity_month < (select activity_month from rebuild_from)
        and is_linked_person
    group by brand_id, activity_month

),
{% endif %}

month_counts as (

    select
        ladder_counts.activity_month,
        ladder_counts.brand_id,
        ladder_counts.engagers,
        ladder_counts.referring_engagers,
        ladder_counts.ladder_repeat_engagers,
        ladder_counts.advocates,
        ladder_counts.advocate_leads,
        ladder_counts.advocate_customers,
        ladder_counts.audience_interactions,
        ladder_counts.audience_brand_content_shares,
        coalesce(viral_counts.share_recruited_engagers, 0) as share_recruited_engagers,
        ladder_counts.interactions_loaded_at_utc
    from ladder_counts
    left join viral_counts
        on ladder_counts.brand_id = viral_counts.brand_id
        and ladder_counts.activity_month = viral_counts.activity_month
    {% if is_incremental() %}

    union all

    select
        stored_months.activity_month,
        stored_months.brand_id,
        stored_months.engagers,
        stored_months.referring_engagers,
        stored_months.ladder_repeat_engagers,
        stored_months.advocates,
        coalesce(linked_ladder_counts.advocate_leads, 0) as advocate_leads,
        coalesce(linked_ladder_counts.advocate_customers, 0) as advocate_customers,
        stored_months.audience_interactions,
        stored_months.audience_brand_content_shares,
        stored_months.share_recruited_engagers,
        stored_months.interactions_loaded_at_utc
    from stored_months
    left join linked_ladder_counts
        on stored_months.brand_id = linked_ladder_counts.brand_id
        and stored_months.activity_month = linked_ladder_counts.activity_month
    where stored_months.activity_month < (select activity_month from rebuild_from)
    {% endif %}

),

employee_activity as (

    select
        brand_interactions.brand_id,
        brand_interactions.activity_month,
        count(*) as employee_interactions,
        count(case when brand_interactions.is_referral_action then 1 end) as employee_referral_actions,
        cast(
            sum(case when brand_interactions.is_referral_action then people.followers_count end)
            as {{ dbt.type_bigint() }}
        ) as employee_referral_potential_impressions
    from brand_interactions
    left join people
        on brand_interactions.person_key = people.person_key
    where brand_interactions.is_employee
    group by brand_interactions.brand_id, brand_interactions.activity_month

),

referring_employees as (

    select distinct brand_interactions.brand_id, brand_interactions.activity_month, people.person_key,
        people.followers_count
    from brand_interactions
    inner join people
        on brand_interactions.person_key = people.person_key
    where brand_interactions.is_employee and brand_interactions.is_referral_action

),

employee_reach as (

    select brand_id, activity_month,
        cast(sum(followers_count) as {{ dbt.type_bigint() }}) as employee_referral_potential_reach
    from referring_employees
    group by brand_id, activity_month

),

first_observed as (

    select {{ month_start('min(created_date)') }} as first_observed_month
    from interactions

),

final as (

    select
        month_counts.activity_month,
        month_counts.brand_id,
        month_counts.engagers,
        month_counts.referring_engagers,
        {{ safe_divide('month_counts.referring_engagers', 'month_counts.engagers') }} as referral_rate,
        month_counts.ladder_repeat_engagers,
        month_counts.advocates,
        month_counts.advocate_leads,
        month_counts.advocate_customers,
        case
            when month_counts.activity_month > first_observed.first_observed_month
                then {{ safe_divide('month_counts.ladder_repeat_engagers', 'month_counts.engagers') }}
        end as engager_to_ladder_repeat_rate,
        {{ safe_divide('month_counts.advocates', 'month_counts.ladder_repeat_engagers') }}
            as ladder_repeat_to_advocate_rate,
        {{ safe_divide('month_counts.advocate_leads', 'month_counts.advocates') }} as advocate_to_lead_rate,
        {{ safe_divide('month_counts.advocate_customers', 'month_counts.advocate_leads') }}
            as advocate_lead_to_customer_rate,
        coalesce(employee_activity.employee_interactions, 0) as employee_interactions,
        coalesce(employee_activity.employee_referral_actions, 0) as employee_referral_actions,
        employee_activity.employee_referral_potential_impressions,
        employee_reach.employee_referral_potential_reach,
        month_counts.audience_brand_content_shares,
        month_counts.share_recruited_engagers,
        case
            when month_counts.activity_month > first_observed.first_observed_month
                then {{ safe_divide('month_counts.share_recruited_engagers', 'month_counts.engagers') }}
        end as viral_coefficient,
        month_counts.audience_interactions,
        month_counts.interactions_loaded_at_utc
    from month_counts
    cross join first_observed
    left join employee_activity
        on month_counts.brand_id = employee_activity.brand_id
        and month_counts.activity_month = employee_activity.activity_month
    left join employee_reach
        on month_counts.brand_id = employee_reach.brand_id
        and month_counts.activity_month = employee_reach.activity_month

){% if is_incremental() %},

-- months before the first rebuilt one where the advocates' CRM status or the employee columns changed
rewritten_months as (

    select distinct final.activity_month
    from final
    inner join stored_months
        on final.activity_month = stored_months.activity_month
        and final.brand_id = stored_months.brand_id
    where
    {%- for column in crm_columns + employee_columns %}
        {{ 'or ' if not loop.first }}final.{{ column }} is distinct from stored_months.{{ column }}
    {%- endfor %}

)
{% endif %}

select * from final
{% if is_incremental() %}
where activity_month >= (select activity_month from rebuild_from)
    or activity_month in (select activity_month from rewritten_months)
{% endif %}
