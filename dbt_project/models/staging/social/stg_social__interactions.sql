with

source as (

    select * from {{ source('social', 'interactions') }}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by platform, interaction_id
            order by record_version desc, _ingested_at desc, _source_file desc, _source_line desc
        ) as version_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "interaction_id"]) }} as interaction_key,
        platform,
        interaction_id,
        record_version,
        interaction_type,
        {{ to_utc_timestamp('created_at') }} as created_at_utc,
        author_id,
        author_handle,
        author_name,
        text as text_content,
        text_hash,
        lang as platform_lang,
        parent_id,
        conversation_id,
        in_reply_to_author_id,
        mentioned_handles,
        link_urls,
        url,
        like_count,
        reply_count,
        share_count,
        quote_count,
        impression_count,
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at_utc
    from versions_ranked
    where version_rank = 1

)

select * from final
