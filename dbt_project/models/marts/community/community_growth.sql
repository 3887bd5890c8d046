-- Per month (UTC) x platform x brand account: audience engagers (distinct audience authors of interactions
-- attributed to the account), new engagers (first interaction with the account ever), returning engagers, the
-- repeat-engager rate (engagers of the previous month who engage again this month / engagers of the previous month)
-- and the channel return rate (returning engagers / engagers). Each account's months run from its first engager
-- month to the newest month in the warehouse, so a month without engagers is a row of zeros. In the warehouse's first
-- observed month every engager looks new: the rates that need history (repeat-engager and channel return rates)
-- are null there, not 0. Followers at the end of the month: the account's last daily followers figure of the month
-- (int_account_followers_daily: page metrics, else profile snapshots such as the X profiles of the owned accounts);
-- follower change: gained - lost where page metrics give them, else the change in end-of-month followers since the
-- previous month that has a figure.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

account_metrics as (

    select * from {{ ref('stg_pages__account_metrics') }}

),

followers_daily as (

    select * from {{ ref('int_account_followers_daily') }}

),

engagements as (

    select
        platform,
        brand_id,
        brand_account_id as account_id,
        author_id as person_id,
        {{ month_start('created_date') }} as activity_month
    from interactions
    where is_audience and brand_id is not null

),

person_months as (

    select distinct platform, brand_id, account_id, person_id, activity_month
    from engagements

),

first_months as (

    select platform, account_id, person_id, min(activity_month) as first_month
    from person_months
    group by platform, account_id, person_id

),

account_bounds as (

    select
        platform,
        brand_id,
        account_id,
        min(activity_month) as first_month,
        (select {{ month_start('max(created_date)') }} from interactions) as last_month,
        (select {{ month_start('min(created_date)') }} from interactions) as first_observed_month
    from person_months
    group by platform, brand_id, account_id

),

month_spine as (

    {{ date_spine_per_series(
        'account_bounds', ['platform', 'brand_id', 'account_id'], 'first_month', 'last_month', 'activity_month',
        datepart='month'
    ) }}

),

engager_counts as (

    select
        person_months.platform,
        person_months.account_id,
        person_months.activity_month,
        count(*) as engagers,
        count(case when first_months.first_month = person_months.activity_month then 1 end) as new_engagers,
        count(case when first_months.first_month < person_months.activity_month then 1 end)
            as returning_engagers
    from person_months
    inner join first_months
        on person_months.platform = first_months.platform
        and person_months.account_id = first_months.account_id
        and person_months.person_id = first_months.person_id
    group by person_months.platform, person_months.account_id, person_months.activity_month

),

carried_over as (

    select
        previous_month.platform,
        previous_month.account_id,
        cast({{ dbt.dateadd('month', 1, 'previous_month.activity_month') }} as date) as activity_month,
        count(*) as previous_month_engagers,
        count(case when this_month.person_id is not null then 1 end) as previous_month_engagers_retained
    from person_months as previous_month
    left join person_months as this_month
        on previous_month.platform = this_month.platform
        and previous_month.account_id = this_month.account_id
        and previous_month.person_id = this_month.person_id
        and this_month.activity_month = cast({{ dbt.dateadd('month', 1, 'previous_month.activity_month') }} as date)
    group by previous_month.platform, previous_month.account_id, previous_month.activity_month

),

follower_flows as (

    select
        platform,
        account_id,
        {{ month_start('metric_date') }} as activity_month,
        cast(sum(followers_gained) as {{ dbt.type_bigint() }}) as followers_gained,
        cast(sum(followers_lost) as {{ dbt.type_bigint() }}) as followers_lost
    from account_metrics
    group by platform, account_id, {{ month_start('metric_date') }}

),

followers_ranked as (

    select
        platform,
        account_id,
        {{ month_start('followers_date') }} as activity_month,
        followers,
        row_number() over (
            partition by platform, account_id, {{ month_start('followers_date') }}
            order by followers_date desc, followers_source asc
        ) as recency_rank
    from followers_daily

),

month_end_followers as (

    select
        platform,
        account_id,
        activity_month,
        followers as followers_end_of_month,
        lag(followers) over (partition by platform, account_id order by activity_month)
            as previous_followers_end_of_month
    from followers_ranked
    where recency_rank = 1

),

final as (

    select
        month_spine.activity_month,
        month_spine.platform,
        month_spine.brand_id,
        month_spine.account_id,
        coalesce(engager_counts.engagers, 0) as engagers,
        coalesce(engager_counts.new_engagers, 0) as new_engagers,
        coalesce(engager_counts.returning_engagers, 0) as returning_engagers,
        coalesce(carried_over.previous_month_engagers, 0) as previous_month_engagers,
        coalesce(carried_over.previous_month_engagers_retained, 0) as previous_month_engagers_retained,
        case
            when month_spine.activity_month > account_bounds.first_observed_month then
                {{ safe_divide('carried_over.previous_month_engagers_retained',
                               'carried_over.previous_month_engagers') }}
        end as repeat_engager_rate,
        case
            when month_spine.activity_month > account_bounds.first_observed_month then
                {{ safe_divide('engager_counts.returning_engagers', 'engager_counts.engagers') }}
        end as channel_return_rate,
        follower_flows.followers_gained,
        follower_flows.followers_lost,
        coalesce(
            follower_flows.followers_gained - follower_flows.followers_lost,
            month_end_followers.followers_end_of_month - month_end_followers.previous_followers_end_of_month
        ) as net_follower_change,
        month_end_followers.followers_end_of_month
    from month_spine
    left join engager_counts
        on month_spine.platform = engager_counts.platform
        and month_spine.account_id = engager_counts.account_id
        and month_spine.activity_month = engager_counts.activity_month
    left join carried_over
        on month_spine.platform = carried_over.platform
        and month_spine.account_id = carried_over.account_id
        and month_spine.activity_month = carried_over.activity_month
    inner join account_bounds
        on month_spine.platform = account_bounds.platform
        and month_spine.account_id = account_bounds.account_id
        and month_spine.brand_id = account_bounds.brand_id
    left join follower_flows
        on month_spine.platform = follower_flows.platform
        and month_spine.account_id = follower_flows.account_id
        and month_spine.activity_month = follower_flows.activity_month
    left join month_end_followers
        on month_spine.platform = month_end_followers.platform
        and month_spine.account_id = month_end_followers.account_id
        and month_spine.activity_month = month_end_followers.activity_month

)

select * from final
