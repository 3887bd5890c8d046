with

source as (

    select * from {{ source('crm', 'crm_deal_contacts') }}

),

final as (

    select distinct
        {{ dbt.concat(["crm", "':'", "deal_id", "':'", "contact_id"]) }} as deal_contact_key,
        crm,
        deal_id,
        contact_id
    from source

)

select * from final
