with

source as (

    select * from {{ source('social', 'people') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by platform, person_id, observed_at
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "person_id"]) }} as person_key,
        platform,
        person_id,
        handle,
        display_name,
        description,
        followers_count,
        following_count,
        {{ to_utc_timestamp('account_created_at') }} as account_created_at_utc,
        {{ to_utc_timestamp('observed_at') }} as observed_at_utc
    from loads_ranked
    where load_rank = 1

)

select * from final
