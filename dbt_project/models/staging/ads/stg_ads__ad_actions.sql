with

source as (

    select * from {{ source('ads', 'ad_actions') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by platform, ad_id, date, action_type
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "ad_id", "':'", dbt.cast("date", dbt.type_string()), "':'", "action_type"]) }}
            as ad_action_key,
        platform,
        ad_id,
        cast(date as date) as action_date,
        action_type,
        cast(value as {{ type_double() }}) as action_count
    from loads_ranked
    where load_rank = 1

)

select * from final
