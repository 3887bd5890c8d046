-- Per month (UTC) x platform x brand account: audience engagers (distinct audience authors of interactions
-- attributed to the account), new engagers (first interaction with the account ever), returning engagers, the
-- repeat-engager rate (engagers of the previous month who engage again this month / engagers of the previous month)
-- and the channel return rate (returning engagers / engagers). Each account's months run from its first engager
-- month to the newest month in the warehouse, so a month without engagers is a row of zeros. Follower change comes
-- from page metrics (account_metrics) and is null where the platform export has none.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

account_metrics as (

    select * from {{ ref('stg_pages__account_metrics') }}

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
        (select {{ month_start('max(created_date)') }} from interactions) as last_month
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

follower_months as (

    select
        platform,
        account_id,
        {{ month_start('metric_date') }} as activity_month,
        cast(sum(followers_gained) as {{ dbt.type_bigint() }}) as followers_gained,
        cast(sum(followers_lost) as {{ dbt.type_bigint() }}) as followers_lost,
        max(case when followers is not null then metric_date end) as last_followers_date
    from account_metrics
    group by platform, account_id, {{ month_start('metric_date') }}

),

month_end_followers as (

    select
        follower_months.platform,
        follower_months.account_id,
        follower_months.activity_month,
        follower_months.followers_gained,
        follower_months.followers_lost,
        account_metrics.followers as followers_end_of_month
    from follower_months
    left join account_metrics
        on follower_months.platform = account_metrics.platform
        and follower_months.account_id = account_metrics.account_id
        and follower_months.last_followers_date = account_metrics.metric_date

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
        {{ safe_divide('carried_over.previous_month_engagers_retained', 'carried_over.previous_month_engagers') }}
            as repeat_engager_rate,
        {{ safe_divide('engager_counts.returning_engagers', 'engager_counts.engagers') }} as channel_return_rate,
        month_end_followers.followers_gained,
        month_end_followers.followers_lost,
        month_end_followers.followers_gained - month_end_followers.followers_lost as net_follower_change,
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
    left join month_end_followers
        on month_spine.platform = month_end_followers.platform
        and month_spine.account_id = month_end_followers.account_id
        and month_spine.activity_month = month_end_followers.activity_month

)

select * from final
