with

source as (

    select * from {{ source('ads', 'ad_objects') }}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by platform, object_type, object_id
            order by updated_at desc nulls last, _ingested_at desc, _source_file desc, _source_line desc
        ) as version_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "object_type", "':'", "object_id"]) }} as ad_object_key,
        platform,
        object_type,
        object_id,
        name as object_name,
        account_id,
        campaign_id,
        ad_set_id,
        creative_id,
        url_tags,
        link_urls,
        {{ to_utc_timestamp('updated_at') }} as updated_at_utc
    from versions_ranked
    where version_rank = 1

)

select * from final
