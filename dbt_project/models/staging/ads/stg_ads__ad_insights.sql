with

source as (

    select * from {{ source('ads', 'ad_insights') }}

),

loads_ranked as (

    select
        *,
        row_number() over (
            partition by platform, account_id, ad_id, date
            order by _ingested_at desc, _source_file desc, _source_line desc
        ) as load_rank
    from source

),

final as (

    select
        {{ dbt.concat(["platform", "':'", "account_id", "':'", "ad_id", "':'", dbt.cast("date", dbt.type_string())]) }}
            as ad_insight_key,
        platform,
        account_id,
        ad_id,
        cast(date as date) as insight_date,
        cast(spend as {{ type_money() }}) as spend,
        currency,
        impressions,
        clicks,
        reach
    from loads_ranked
    where load_rank = 1

)

select * from final
