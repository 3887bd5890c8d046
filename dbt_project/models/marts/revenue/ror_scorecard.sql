-- Per month (UTC) x brand x channel: Return on Relationship measures beside ROI measures.
-- channel: the configured campaign's channel of the interaction's campaign (paid_social / organic_social); social
-- interactions with no known campaign count as organic_social. The ROI side is cost_per_lead summed per month
-- (rows without a brand are left out). ROR side: audience interactions and engagers, net sentiment, referral rate,
-- brand response rate and median first response; ROI side: spend, leads (ad platform and CRM), customers, revenue,
-- cost per lead and ROI. A brand-month-channel with only one side has nulls on the other.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

cost_per_lead as (

    select * from {{ ref('cost_per_lead') }}

),

audience as (

    select
        interactions.*,
        {{ month_start('created_date') }} as activity_month,
        coalesce(campaign_channel, 'organic_social') as channel,
        {{ dbt.concat(["platform", "':'", "author_id"]) }} as person_key
    from interactions
    where is_audience and brand_id is not null

),

first_interactions as (

    select brand_id, person_key, min({{ month_start('created_date') }}) as first_month
    from audience
    group by brand_id, person_key

),

person_referrals as (

    select
        activity_month,
        brand_id,
        channel,
        person_key,
        max(case when is_referral_action then 1 else 0 end) = 1 as has_referral_action
    from audience
    group by activity_month, brand_id, channel, person_key

),

ror as (

    select
        audience.activity_month,
        audience.brand_id,
        audience.channel,
        count(*) as audience_interactions,
        count(distinct audience.person_key) as engagers,
        count(distinct case when first_interactions.first_month = audience.activity_month then audience.person_key end)
            as new_engagers,
        count(case when audience.sentiment_label is not null then 1 end) as sentiment_scored_interactions,
        count(case when audience.sentiment_label = 'positive' then 1 end) as positive_interactions,
        count(case when audience.sentiment_label = 'negative' then 1 end) as negative_interactions,
        count(case when audience.is_referral_action then 1 end) as referral_actions,
        count(case when audience.is_audience_message and (audience.is_question or audience.is_complaint) then 1 end)
            as questions_or_complaints_received,
        count(
            case
                when audience.is_audience_message and (audience.is_question or audience.is_complaint)
                    and audience.first_brand_response_at_utc is not null then 1
            end
        ) as questions_or_complaints_answered,
        {{ percentile_cont(
            "case when audience.is_audience_message and (audience.is_question or audience.is_complaint)
                then audience.first_brand_response_minutes end", 0.5) }} as median_first_response_minutes
    from audience
    inner join first_interactions
        on audience.brand_id = first_interactions.brand_id
        and audience.person_key = first_interactions.person_key
    group by audience.activity_month, audience.brand_id, audience.channel

),

referrers as (

    select activity_month, brand_id, channel, count(case when has_referral_action then 1 end) as referring_engagers
    from person_referrals
    group by activity_month, brand_id, channel

),

roi as (

    select
        {{ month_start('activity_date') }} as activity_month,
        brand_id,
        channel,
        sum(spend) as spend,
        sum(ad_platform_leads) as ad_platform_leads,
        sum(ad_platform_purchases) as ad_platform_purchases,
        cast(sum(crm_leads) as {{ dbt.type_bigint() }}) as crm_leads,
        cast(sum(crm_customers) as {{ dbt.type_bigint() }}) as crm_customers,
        sum(revenue) as revenue
    from cost_per_lead
    where brand_id is not null
    group by {{ month_start('activity_date') }}, brand_id, channel

),

joined as (

    select
        coalesce(ror.activity_month, roi.activity_month) as activity_month,
        coalesce(ror.brand_id, roi.brand_id) as brand_id,
        coalesce(ror.channel, roi.channel) as channel,
        ror.audience_interactions,
        ror.engagers,
        ror.new_engagers,
        ror.sentiment_scored_interactions,
        ror.positive_interactions,
        ror.negative_interactions,
        ror.referral_actions,
        referrers.referring_engagers,
        ror.questions_or_complaints_received,
        ror.questions_or_complaints_answered,
        ror.median_first_response_minutes,
        roi.spend,
        roi.ad_platform_leads,
        roi.ad_platform_purchases,
        roi.crm_leads,
        roi.crm_customers,
        roi.revenue
    from ror
    left join referrers
        on ror.activity_month = referrers.activity_month
        and ror.brand_id = referrers.brand_id
        and ror.channel = referrers.channel
    full outer join roi
        on ror.activity_month = roi.activity_month
        and ror.brand_id = roi.brand_id
        and ror.channel = roi.channel

),

final as (

    select
        activity_month,
        brand_id,
        channel,
        audience_interactions,
        engagers,
        new_engagers,
        sentiment_scored_interactions,
        {{ safe_divide('positive_interactions - negative_interactions', 'sentiment_scored_interactions') }}
            as net_sentiment,
        referral_actions,
        referring_engagers,
        {{ safe_divide('referring_engagers', 'engagers') }} as referral_rate,
        questions_or_complaints_received,
        questions_or_complaints_answered,
        {{ safe_divide('questions_or_complaints_answered', 'questions_or_complaints_received') }}
            as brand_response_rate,
        median_first_response_minutes,
        spend,
        ad_platform_leads,
        ad_platform_purchases,
        crm_leads,
        crm_customers,
        revenue,
        {{ safe_divide('spend', 'ad_platform_leads') }} as cost_per_ad_platform_lead,
        {{ safe_divide('spend', 'crm_leads') }} as cost_per_crm_lead,
        {{ safe_divide('revenue', 'crm_leads') }} as revenue_per_crm_lead,
        {{ safe_divide('revenue - spend', 'spend') }} as roi
    from joined

)

select * from final
