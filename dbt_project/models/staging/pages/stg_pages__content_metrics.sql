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
        -- Facebook reports reactions by kind and no likes total: likes is their sum there (null when no kind is
        -- reported), the platform's own likes count everywhere else
        coalesce(
            likes,
            case
                when reactions_like is not null
                    or reactions_love is not null
                    or reactions_haha is not null
                    or reactions_wow is not null
                    or reactions_sorry is not null
                    or reactions_anger is not null
                    then coalesce(reactions_like, 0)
                        + coalesce(reactions_love, 0)
                        + coalesce(reactions_haha, 0)
                        + coalesce(reactions_wow, 0)
                        + coalesce(reactions_sorry, 0)
                        + coalesce(reactions_anger, 0)
            end
        ) as likes,
        comments,
        shares,
        saves,
        video_views,
        engagements
    from loads_ranked
    where load_rank = 1

)

select * from final
