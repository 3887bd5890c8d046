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

brand_interactions as (

    select
        interactions.*,
        {{ dbt.concat(["platform", "':'", "author_id"]) }} as person_key,
        {{ month_start('created_date') }} as activity_month
    from interactions
    where not interactions.is_brand_author
        and interactions.brand_id is not null

),

person_months as (

    select
        brand_id,
        activity_month,
        person_key,
        count(case when is_referral_action then 1 end) as referral_actions
    from brand_interactions
    where is_audience
    group by brand_id, activity_month, person_key

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
    from brand_interactions
    group by brand_id, person_key, activity_month, created_date

),

person_month_interactions as (

    select brand_id, person_key, activity_month, sum(interactions) as interactions
    from person_days
    group by brand_id, person_key, activity_month

),

-- interactions with the brand up to the month's end: a running total over the person's months
person_months_to_date as (

    select
        brand_id,
        person_key,
        activity_month,
        sum(interactions) over (
            partition by brand_id, person_key
            order by activity_month
            rows between unbounded preceding and current row
        ) as interactions_to_date
    from person_month_interactions

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
        person_months.referral_actions,
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
            as advocate_customers
    from ladder
    group by brand_id, activity_month

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

audience_shares as (

    select platform, owned_content_id, author_id, brand_id, created_at_utc
    from brand_interactions
    where is_audience and is_brand_content_share

),

first_interactions_ranked as (

    select
        platform,
        owned_content_id,
        author_id,
        brand_id,
        activity_month,
        created_at_utc,
        person_key,
        row_number() over (
            partition by brand_id, person_key
            order by created_at_utc, interaction_key
        ) as interaction_rank
    from brand_interactions
    where is_audience

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

shares_by_month as (

    select
        brand_id,
        activity_month,
        count(case when is_brand_content_share then 1 end) as audience_brand_content_shares
    from brand_interactions
    where is_audience
    group by brand_id, activity_month

),

final as (

    select
        ladder_counts.activity_month,
        ladder_counts.brand_id,
        ladder_counts.engagers,
        ladder_counts.referring_engagers,
        {{ safe_divide('ladder_counts.referring_engagers', 'ladder_counts.engagers') }} as referral_rate,
        ladder_counts.ladder_repeat_engagers,
        ladder_counts.advocates,
        ladder_counts.advocate_leads,
        ladder_counts.advocate_customers,
        case
            when ladder_counts.activity_month > (select {{ month_start('min(created_date)') }} from interactions)
                then {{ safe_divide('ladder_counts.ladder_repeat_engagers', 'ladder_counts.engagers') }}
        end as engager_to_ladder_repeat_rate,
        {{ safe_divide('ladder_counts.advocates', 'ladder_counts.ladder_repeat_engagers') }}
            as ladder_repeat_to_advocate_rate,
        {{ safe_divide('ladder_counts.advocate_leads', 'ladder_counts.advocates') }} as advocate_to_lead_rate,
        {{ safe_divide('ladder_counts.advocate_customers', 'ladder_counts.advocate_leads') }}
            as advocate_lead_to_customer_rate,
        coalesce(employee_activity.employee_interactions, 0) as employee_interactions,
        coalesce(employee_activity.employee_referral_actions, 0) as employee_referral_actions,
        employee_activity.employee_referral_potential_impressions,
        employee_reach.employee_referral_potential_reach,
        coalesce(shares_by_month.audience_brand_content_shares, 0) as audience_brand_content_shares,
        coalesce(viral_counts.share_recruited_engagers, 0) as share_recruited_engagers,
        case
            when ladder_counts.activity_month > (select {{ month_start('min(created_date)') }} from interactions)
                then {{ safe_divide('coalesce(viral_counts.share_recruited_engagers, 0)', 'ladder_counts.engagers') }}
        end as viral_coefficient
    from ladder_counts
    left join employee_activity
        on ladder_counts.brand_id = employee_activity.brand_id
        and ladder_counts.activity_month = employee_activity.activity_month
    left join employee_reach
        on ladder_counts.brand_id = employee_reach.brand_id
        and ladder_counts.activity_month = employee_reach.activity_month
    left join shares_by_month
        on ladder_counts.brand_id = shares_by_month.brand_id
        and ladder_counts.activity_month = shares_by_month.activity_month
    left join viral_counts
        on ladder_counts.brand_id = viral_counts.brand_id
        and ladder_counts.activity_month = viral_counts.activity_month

)

select * from final
