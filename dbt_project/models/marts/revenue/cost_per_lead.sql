-- Per day (UTC) x channel x brand x campaign (utm_campaign; null when unknown): paid media and the leads,
-- customers and revenue attributed to it. Attribution rule:
--   paid side  ad platform actions per int_ad_action_types_overridden (the shipped seed plus the configuration's
--              overrides): ad_platform_leads are lead actions, kept apart from ad_platform_purchases; an ad's
--              campaign comes from its (creative's) UTM tags (int_ad_insights_attributed);
--   CRM side   contacts by utm_campaign (contact or first form submission), else by original source
--              (int_contacts_attributed); a contact counts as a CRM lead on its lead date, as a customer on its
--              customer date; revenue is closed-won deal amounts on their close date, through the deal's primary
--              contact. Contacts without social attribution are left out.
-- Rates: cost per lead = spend / leads, lead-to-customer rate follows the day's CRM leads (how many are customers
-- now). Two ROI views: cash_roi = (revenue - spend) / spend with revenue on the deal's close date and spend on the
-- ad's date (a day with spend and no closing is -1 even when its leads buy later); lead_cohort_roi =
-- (lead_cohort_revenue - spend) / spend with lead_cohort_revenue the closed-won revenue so far of the CRM leads
-- created that day in that channel and campaign (what the day's spend generated). Zero denominators give null, and
-- so does a row without ad data (spend, impressions, clicks and ad platform counts are null there, not zero:
-- organic leads cost nothing we know). Money is decimal(18, 2); rates are rounded to 6 decimal places.
with

ad_days as (

    select * from {{ ref('int_ad_insights_attributed') }}

),

contacts as (

    select * from {{ ref('int_contacts_attributed') }}

),

won_deals as (

    select * from {{ ref('int_deals_attributed') }}

),

campaigns as (

    select * from {{ ref('stg_config__campaigns') }}

),

paid as (

    select
        insight_date as activity_date,
        channel,
        brand_id,
        utm_campaign,
        spend,
        impressions,
        clicks,
        ad_platform_leads,
        ad_platform_purchases,
        cast(0 as {{ dbt.type_bigint() }}) as crm_leads,
        cast(0 as {{ dbt.type_bigint() }}) as crm_leads_now_customers,
        cast(0 as {{ dbt.type_bigint() }}) as crm_customers,
        cast(0 as {{ type_money() }}) as revenue,
        cast(0 as {{ type_money() }}) as lead_cohort_revenue
    from ad_days

),

crm_leads as (

    select
        cast(lead_at_utc as date) as activity_date,
        channel,
        brand_id,
        utm_campaign,
        cast(null as {{ type_money() }}) as spend,
        cast(null as {{ dbt.type_bigint() }}) as impressions,
        cast(null as {{ dbt.type_bigint() }}) as clicks,
        cast(null as {{ type_double() }}) as ad_platform_leads,
        cast(null as {{ type_double() }}) as ad_platform_purchases,
        1 as crm_leads,
        case when customer_at_utc is not null then 1 else 0 end as crm_leads_now_customers,
        0 as crm_customers,
        cast(0 as {{ type_money() }}) as revenue,
        cast(won_revenue as {{ type_money() }}) as lead_cohort_revenue
    from contacts
    where channel is not null and lead_at_utc is not null

),

crm_customers as (

    select
        cast(customer_at_utc as date) as activity_date,
        channel,
        brand_id,
        utm_campaign,
        cast(null as {{ type_money() }}) as spend,
        cast(null as {{ dbt.type_bigint() }}) as impressions,
        cast(null as {{ dbt.type_bigint() }}) as clicks,
        cast(null as {{ type_double() }}) as ad_platform_leads,
        cast(null as {{ type_double() }}) as ad_platform_purchases,
        0 as crm_leads,
        0 as crm_leads_now_customers,
        1 as crm_customers,
        cast(0 as {{ type_money() }}) as revenue,
        cast(0 as {{ type_money() }}) as lead_cohort_revenue
    from contacts
    where channel is not null and customer_at_utc is not null

),

crm_revenue as (

    select
        cast(won_deals.closed_at_utc as date) as activity_date,
        contacts.channel,
        contacts.brand_id,
        contacts.utm_campaign,
        cast(null as {{ type_money() }}) as spend,
        cast(null as {{ dbt.type_bigint() }}) as impressions,
        cast(null as {{ dbt.type_bigint() }}) as clicks,
        cast(null as {{ type_double() }}) as ad_platform_leads,
        cast(null as {{ type_double() }}) as ad_platform_purchases,
        0 as crm_leads,
        0 as crm_leads_now_customers,
        0 as crm_customers,
        won_deals.amount as revenue,
        cast(0 as {{ type_money() }}) as lead_cohort_revenue
    from won_deals
    inner join contacts
        on won_deals.contact_key = contacts.contact_key
    where contacts.channel is not null and won_deals.closed_at_utc is not null

),

unioned as (

    select * from paid
    union all
    select * from crm_leads
    union all
    select * from crm_customers
    union all
    select * from crm_revenue

),

aggregated as (

    select
        activity_date,
        channel,
        brand_id,
        utm_campaign,
        cast(sum(spend) as {{ type_money() }}) as spend,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as clicks,
        {{ round_rate('sum(ad_platform_leads)') }} as ad_platform_leads,
        {{ round_rate('sum(ad_platform_purchases)') }} as ad_platform_purchases,
        cast(sum(crm_leads) as {{ dbt.type_bigint() }}) as crm_leads,
        cast(sum(crm_leads_now_customers) as {{ dbt.type_bigint() }}) as crm_leads_now_customers,
        cast(sum(crm_customers) as {{ dbt.type_bigint() }}) as crm_customers,
        cast(sum(revenue) as {{ type_money() }}) as revenue,
        cast(sum(lead_cohort_revenue) as {{ type_money() }}) as lead_cohort_revenue
    from unioned
    group by activity_date, channel, brand_id, utm_campaign

),

final as (

    select
        aggregated.activity_date,
        aggregated.channel,
        aggregated.brand_id,
        aggregated.utm_campaign,
        campaigns.campaign_name,
        aggregated.spend,
        aggregated.impressions,
        aggregated.clicks,
        aggregated.ad_platform_leads,
        aggregated.ad_platform_purchases,
        {{ safe_divide('aggregated.spend', 'aggregated.ad_platform_leads') }} as cost_per_ad_platform_lead,
        aggregated.crm_leads,
        {{ safe_divide('aggregated.spend', 'aggregated.crm_leads') }} as cost_per_crm_lead,
        aggregated.crm_leads_now_customers,
        {{ safe_divide('aggregated.crm_leads_now_customers', 'aggregated.crm_leads') }} as lead_to_customer_rate,
        aggregated.crm_customers,
        aggregated.revenue,
        {{ safe_divide('aggregated.revenue - aggregated.spend', 'aggregated.spend') }} as cash_roi,
        aggregated.lead_cohort_revenue,
        {{ safe_divide('aggregated.lead_cohort_revenue - aggregated.spend', 'aggregated.spend') }} as lead_cohort_roi
    from aggregated
    left join campaigns
        on aggregated.utm_campaign = campaigns.utm_campaign

)

select * from final
