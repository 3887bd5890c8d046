-- CRM contacts with their social attribution, lead and customer dates and won revenue.
-- Attribution rule (CRM side):
--   utm_campaign = the contact's utm_campaign, else the utm_campaign in the page URL of its first form
--   submission that carries one;
--   a utm_campaign listed in the configured campaigns gives brand and channel;
--   otherwise the original source (crm_source_channels seed: SOCIAL_MEDIA -> organic_social, PAID_SOCIAL ->
--   paid_social) gives the channel and the brand is the one the linked social person interacts with most;
--   contacts with neither are not social (channel null) and stay out of social attribution.
-- lead_at = became_lead_at, else created_at when the lifecycle stage counts as a lead (lifecycle_stages seed).
-- customer_at = became_customer_at, else the first closed-won deal's close, else updated_at when the stage counts
-- as a customer. Won revenue: closed-won, not deleted deals whose primary contact (the earliest created contact
-- on the deal) is this contact, so a deal's amount counts once.
with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

form_submissions as (

    select * from {{ ref('stg_crm__form_submissions') }}

),

campaigns as (

    select * from {{ ref('stg_config__campaigns') }}

),

source_channels as (

    select * from {{ ref('crm_source_channels') }}

),

lifecycle_stages as (

    select * from {{ ref('lifecycle_stages') }}

),

people_linked as (

    select * from {{ ref('int_people_linked') }}

),

won_deals as (

    select * from {{ ref('int_deals_attributed') }}

),

first_form_utm_ranked as (

    select
        crm,
        contact_id,
        {{ url_parameter('page_url', 'utm_campaign') }} as utm_campaign,
        row_number() over (partition by crm, contact_id order by submitted_at_utc, form_submission_key) as form_rank
    from form_submissions
    where {{ url_parameter('page_url', 'utm_campaign') }} is not null

),

contact_revenue as (

    select
        contact_key,
        min(closed_at_utc) as first_won_at_utc,
        sum(amount) as won_revenue,
        count(*) as won_deals
    from won_deals
    group by contact_key

),

linked_brand_ranked as (

    select
        contact_key,
        primary_brand_id,
        row_number() over (partition by contact_key order by person_key) as link_rank
    from people_linked
    where contact_key is not null and primary_brand_id is not null

),

joined as (

    select
        contacts.*,
        coalesce(contacts.utm_campaign, first_form_utm_ranked.utm_campaign) as attributed_utm_campaign,
        lifecycle_stages.is_lead as stage_is_lead,
        lifecycle_stages.is_customer as stage_is_customer,
        source_channels.channel as source_channel,
        linked_brand_ranked.primary_brand_id as linked_brand_id,
        contact_revenue.first_won_at_utc,
        coalesce(contact_revenue.won_revenue, 0) as won_revenue,
        coalesce(contact_revenue.won_deals, 0) as won_deals
    from contacts
    left join first_form_utm_ranked
        on contacts.crm = first_form_utm_ranked.crm
        and contacts.contact_id = first_form_utm_ranked.contact_id
        and first_form_utm_ranked.form_rank = 1
    left join lifecycle_stages
        on contacts.lifecycle_stage = lifecycle_stages.lifecycle_stage
    left join source_channels
        on contacts.original_source = source_channels.original_source
    left join linked_brand_ranked
        on contacts.contact_key = linked_brand_ranked.contact_key
        and linked_brand_ranked.link_rank = 1
    left join contact_revenue
        on contacts.contact_key = contact_revenue.contact_key

),

final as (

    select
        joined.contact_key,
        joined.crm,
        joined.contact_id,
        joined.created_at_utc,
        joined.lifecycle_stage,
        joined.original_source,
        joined.attributed_utm_campaign as utm_campaign,
        campaigns.campaign_name,
        coalesce(campaigns.brand_id, joined.linked_brand_id) as brand_id,
        coalesce(campaigns.channel, joined.source_channel) as channel,
        case
            when campaigns.utm_campaign is not null then 'utm_campaign'
            when joined.source_channel is not null then 'original_source'
        end as attribution_rule,
        coalesce(
            joined.became_lead_at_utc,
            case when joined.stage_is_lead then joined.created_at_utc end
        ) as lead_at_utc,
        coalesce(
            joined.became_customer_at_utc,
            joined.first_won_at_utc,
            case when joined.stage_is_customer then joined.updated_at_utc end
        ) as customer_at_utc,
        joined.won_revenue,
        joined.won_deals
    from joined
    left join campaigns
        on joined.attributed_utm_campaign = campaigns.utm_campaign

)

select * from final
