with

source as (

    select * from {{ source('crm', 'crm_deals') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by crm, deal_id
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["crm", "':'", "deal_id"]) }} as deal_key,
        crm,
        deal_id,
        {{ to_utc_timestamp('created_at') }} as created_at_utc,
        {{ to_utc_timestamp('closed_at') }} as closed_at_utc,
        cast(amount as {{ type_money() }}) as amount,
        pipeline_id,
        stage_id,
        coalesce(is_deleted, false) as is_deleted
    from loads_ranked
    where load_rank = 1

)

select * from final
