with

source as (

    select * from {{ source('crm', 'crm_deal_stages') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by crm, pipeline_id, stage_id
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["crm", "':'", "pipeline_id", "':'", "stage_id"]) }} as deal_stage_key,
        crm,
        pipeline_id,
        stage_id,
        label as stage_label,
        coalesce(is_closed, false) as is_closed,
        coalesce(is_closed_won, false) as is_closed_won
    from loads_ranked
    where load_rank = 1

)

select * from final
