with

source as (

    select * from {{ source('pages', 'account_metrics') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by platform, account_id, date
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "account_id", "':'", dbt.cast("date", dbt.type_string())]) }}
            as account_metric_key,
        platform,
        account_id,
        cast(date as date) as metric_date,
        followers,
        followers_gained,
        followers_lost,
        impressions,
        reach,
        engagements,
        profile_views
    from loads_ranked
    where load_rank = 1

)

select * from final
