-- The configured brands as readers show them: the display name and the currency of their money columns, so a report
-- or a dashboard says "Lumen Bikes" and "€" instead of a brand id.
with

brands as (

    select * from {{ ref('stg_config__brands') }}

),

final as (

    select
        brand_id,
        brand_name,
        currency
    from brands

)

select * from final
