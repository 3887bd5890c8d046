-- Ad insights per ad per day with the day's actions split by int_ad_action_types_overridden (leads apart from
-- purchases) and the ad's campaign attribution. Meta reports one conversion under several overlapping action types,
-- so per ad, day and family (counts_as) only the reported action type of the lowest precedence counts (lead before
-- onsite_conversion.lead_grouped before offsite_conversion.fb_pixel_lead; omni_purchase before purchase before
-- offsite_conversion.fb_pixel_purchase): summing them would count one lead two or three times. utm_campaign: the
-- first of the creative's link_urls that carries it (its url_tags first, then its link fields, as the reader lists
-- them), else the ad's own url_tags. brand and channel come from the configured campaigns; an unknown utm_campaign
-- falls back to the brand owning the ad account (configured brand accounts) and the paid_social channel.
with

insights as (

    select * from {{ ref('stg_ads__ad_insights') }}

),

actions as (

    select * from {{ ref('stg_ads__ad_actions') }}

),

ad_objects as (

    select * from {{ ref('stg_ads__ad_objects') }}

),

action_types as (

    select * from {{ ref('int_ad_action_types_overridden') }}

),

campaigns as (

    select * from {{ ref('stg_config__campaigns') }}

),

owned_accounts as (

    select * from {{ ref('int_owned_accounts_resolved') }}
    where account_id is not null

),

ads as (

    select * from ad_objects
    where object_type = 'ad'

),

creatives as (

    select * from ad_objects
    where object_type = 'creative'

),

ad_campaigns as (

    select * from ad_objects
    where object_type = 'campaign'

),

ad_utm as (

    select
        ads.platform,
        ads.object_id as ad_id,
        ads.object_name as ad_name,
        ads.campaign_id as ad_campaign_id,
        ad_campaigns.object_name as ad_campaign_name,
        coalesce(
            {{ first_url_parameter('creatives.link_urls', 'utm_campaign') }},
            {{ url_parameter(dbt.concat(["'?'", "ads.url_tags"]), 'utm_campaign') }}
        ) as utm_campaign
    from ads
    left join creatives
        on ads.platform = creatives.platform
        and ads.creative_id = creatives.object_id
    left join ad_campaigns
        on ads.platform = ad_campaigns.platform
        and ads.campaign_id = ad_campaigns.object_id

),

family_actions_ranked as (

    select
        actions.platform,
        actions.ad_id,
        actions.action_date,
        action_types.counts_as,
        actions.action_count,
        dense_rank() over (
            partition by actions.platform, actions.ad_id, actions.action_date, action_types.counts_as
            order by action_types.precedence
        ) as precedence_rank
    from actions
    inner join action_types
        on actions.platform = action_types.platform
        and actions.action_type = action_types.action_type

),

daily_actions as (

    select
        platform,
        ad_id,
        action_date,
        sum(case when counts_as = 'lead' then action_count else 0 end) as ad_platform_leads,
        sum(case when counts_as = 'purchase' then action_count else 0 end) as ad_platform_purchases
    from family_actions_ranked
    where precedence_rank = 1
    group by platform, ad_id, action_date

),

final as (

    select
        insights.ad_insight_key,
        insights.platform,
        insights.account_id,
        insights.ad_id,
        insights.insight_date,
        ad_utm.ad_name,
        ad_utm.ad_campaign_id,
        ad_utm.ad_campaign_name,
        ad_utm.utm_campaign,
        campaigns.campaign_name,
        coalesce(campaigns.brand_id, owned_accounts.brand_id) as brand_id,
        coalesce(campaigns.channel, 'paid_social') as channel,
        insights.spend,
        insights.currency,
        insights.impressions,
        insights.clicks,
        insights.reach,
        coalesce(daily_actions.ad_platform_leads, 0) as ad_platform_leads,
        coalesce(daily_actions.ad_platform_purchases, 0) as ad_platform_purchases
    from insights
    left join ad_utm
        on insights.platform = ad_utm.platform
        and insights.ad_id = ad_utm.ad_id
    left join campaigns
        on ad_utm.utm_campaign = campaigns.utm_campaign
    left join owned_accounts
        on insights.platform = owned_accounts.platform
        and insights.account_id = owned_accounts.account_id
    left join daily_actions
        on insights.platform = daily_actions.platform
        and insights.ad_id = daily_actions.ad_id
        and insights.insight_date = daily_actions.action_date

)

select * from final
