with

source as (

    select * from {{ source('pages', 'content_metrics') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by platform, content_id, date
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "content_id", "':'",
            "coalesce(" ~ dbt.cast("date", dbt.type_string()) ~ ", 'lifetime')"]) }} as content_metric_key,
        platform,
        account_id,
        content_id,
        cast(date as date) as metric_date,
        impressions,
        reach,
        likes,
        comments,
        shares,
        saves,
        video_views,
        engagements
    from loads_ranked
    where load_rank = 1

)

select * from final
