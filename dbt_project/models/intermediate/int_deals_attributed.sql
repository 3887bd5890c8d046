-- Closed-won, not deleted deals, each with its primary contact: the earliest created contact associated with the
-- deal (then the lowest contact id), so revenue is attributed once. Closed-won lives on the stage, not the deal.
with

deals as (

    select * from {{ ref('stg_crm__deals') }}

),

deal_stages as (

    select * from {{ ref('stg_crm__deal_stages') }}

),

deal_contacts as (

    select * from {{ ref('stg_crm__deal_contacts') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

primary_contacts_ranked as (

    select
        deal_contacts.crm,
        deal_contacts.deal_id,
        contacts.contact_key,
        row_number() over (
            partition by deal_contacts.crm, deal_contacts.deal_id
            order by contacts.created_at_utc, contacts.contact_id
        ) as contact_rank
    from deal_contacts
    inner join contacts
        on deal_contacts.crm = contacts.crm
        and deal_contacts.contact_id = contacts.contact_id

),

final as (

    select
        deals.deal_key,
        deals.crm,
        deals.deal_id,
        deals.closed_at_utc,
        deals.amount,
        primary_contacts_ranked.contact_key
    from deals
    inner join deal_stages
        on deals.crm = deal_stages.crm
        and deals.pipeline_id = deal_stages.pipeline_id
        and deals.stage_id = deal_stages.stage_id
    left join primary_contacts_ranked
        on deals.crm = primary_contacts_ranked.crm
        and deals.deal_id = primary_contacts_ranked.deal_id
        and primary_contacts_ranked.contact_rank = 1
    where deal_stages.is_closed_won
        and not deals.is_deleted

)

select * from final
