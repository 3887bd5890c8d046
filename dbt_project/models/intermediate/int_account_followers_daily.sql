-- Followers per account per day: the page metrics (account_metrics.followers, end of day) where they exist, else the
-- last profile snapshot of that day (people.followers_count). Used for "followers at post time" (as-of joins).
with

account_metrics as (

    select * from {{ ref('stg_pages__account_metrics') }}

),

people as (

    select * from {{ ref('stg_social__people') }}

),

from_page_metrics as (

    select
        platform,
        account_id,
        metric_date as followers_date,
        followers,
        'account_metrics' as followers_source
    from account_metrics
    where followers is not null

),

snapshots_ranked as (

    select
        platform,
        person_id as account_id,
        cast(observed_at_utc as date) as followers_date,
        followers_count as followers,
        row_number() over (
            partition by platform, person_id, cast(observed_at_utc as date)
            order by observed_at_utc desc
        ) as snapshot_rank
    from people
    where followers_count is not null

),

from_profiles as (

    select
        snapshots_ranked.platform,
        snapshots_ranked.account_id,
        snapshots_ranked.followers_date,
        snapshots_ranked.followers,
        'profile_snapshot' as followers_source
    from snapshots_ranked
    left join from_page_metrics
        on snapshots_ranked.platform = from_page_metrics.platform
        and snapshots_ranked.account_id = from_page_metrics.account_id
        and snapshots_ranked.followers_date = from_page_metrics.followers_date
    where snapshots_ranked.snapshot_rank = 1
        and from_page_metrics.account_id is null

),

final as (

    select * from from_page_metrics
    union all
    select * from from_profiles

)

select * from final
