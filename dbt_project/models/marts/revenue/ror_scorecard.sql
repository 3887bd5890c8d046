{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('activity_month', key_is_day=true)
    )
}}

-- Per month (UTC) x brand x channel: Return on Relationship measures beside ROI measures, on the same row.
-- channel 'all' is the brand's month (every channel together: the row where ROR and ROI are read side by side); the
-- other rows break it down by channel: the configured campaign's channel of the interaction's campaign (paid_social /
-- organic_social; social interactions with no known campaign count as organic_social) and cost_per_lead's channel.
-- The ROI side is cost_per_lead summed per month (rows without a brand are left out). ROR side: audience
-- interactions and engagers, net sentiment, referral rate, brand-only and brand-or-employee response rates and
-- median first response; ROI side: spend, leads (ad platform and CRM), customers, revenue, cost per lead, cash ROI
-- and lead-cohort ROI. A channel row with only one side has nulls on the other.
-- The ratios to spend divide paid returns only (revenue, CRM leads and lead-cohort revenue of channel paid_social),
-- on every row: on 'all', organic revenue beside paid spend would make a paid campaign look better or worse than it
-- is. revenue and crm_leads stay every channel's. new_engagers is null in the warehouse's first observed month, when
-- everyone is new (nobody's earlier interactions were observed).
--
-- Incremental (replacing whole months, macros/incremental.sql: delete+insert on DuckDB, insert_overwrite of the
-- activity_month partitions on Spark): a run rebuilds the months from the earliest month of an audience interaction
-- that fct_interactions re-derived since the last run on (interactions_loaded_at_utc is the high-water mark; a late
-- first interaction changes later months' new_engagers), the months whose audience interaction count per brand no
-- longer matches (an interaction attributed to another brand or to none), the months whose ROI side changed
-- (cost_per_lead is small: its monthly sums are recomputed and compared whole) and, given a window (var('min_date'),
-- else the Dagster run's), the months from min_date - lookback_days on. Every other month is left as it is.
{%- set min_date = var('min_date') or refresh_window('min_date') %}
{%- set lookback_days = var('lookback_days') | int %}
{%- set roi_columns = ['spend', 'ad_platform_leads', 'ad_platform_purchases', 'crm_leads', 'crm_customers', 'revenue',
    'lead_cohort_revenue', 'paid_social_crm_leads', 'paid_social_revenue', 'paid_social_lead_cohort_revenue'] %}
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

cost_per_lead as (

    select * from {{ ref('cost_per_lead') }}

),

channel_scopes as (

    select 'channel' as channel_scope
    union all
    select 'all' as channel_scope

),

audience_interactions as (

    select
        interactions.*,
        {{ month_start('created_date') }} as activity_month,
        {{ dbt.concat(["platform", "':'", "author_id"]) }} as person_key
    from interactions
    where interactions.is_audience and interactions.brand_id is not null

),

first_interactions as (

    select brand_id, person_key, min(activity_month) as first_month
    from audience_interactions
    group by brand_id, person_key

),

paid_and_crm as (

    select
        cost_per_lead.activity_date,
        cost_per_lead.brand_id,
        case when channel_scopes.channel_scope = 'all' then 'all' else cost_per_lead.channel end as channel,
        cost_per_lead.spend,
        cost_per_lead.ad_platform_leads,
        cost_per_lead.ad_platform_purchases,
        cost_per_lead.crm_leads,
        cost_per_lead.crm_customers,
        cost_per_lead.revenue,
        cost_per_lead.lead_cohort_revenue,
        case when cost_per_lead.channel = 'paid_social' then cost_per_lead.crm_leads end as paid_social_crm_leads,
        case when cost_per_lead.channel = 'paid_social' then cost_per_lead.revenue end as paid_social_revenue,
        case when cost_per_lead.channel = 'paid_social' then cost_per_lead.lead_cohort_revenue end
            as paid_social_lead_cohort_revenue
    from cost_per_lead
    cross join channel_scopes
    where cost_per_lead.brand_id is not null

),

roi as (

    select
        {{ month_start('activity_date') }} as activity_month,
        brand_id,
        channel,
        cast(sum(spend) as {{ type_money() }}) as spend,
        {{ round_rate('sum(ad_platform_leads)') }} as ad_platform_leads,
        {{ round_rate('sum(ad_platform_purchases)') }} as ad_platform_purchases,
        cast(sum(crm_leads) as {{ dbt.type_bigint() }}) as crm_leads,
        cast(sum(crm_customers) as {{ dbt.type_bigint() }}) as crm_customers,
        cast(sum(revenue) as {{ type_money() }}) as revenue,
        cast(sum(lead_cohort_revenue) as {{ type_money() }}) as lead_cohort_revenue,
        cast(coalesce(sum(paid_social_crm_leads), 0) as {{ dbt.type_bigint() }}) as paid_social_crm_leads,
        cast(coalesce(sum(paid_social_revenue), 0) as {{ type_money() }}) as paid_social_revenue,
        cast(coalesce(sum(paid_social_lead_cohort_revenue), 0) as {{ type_money() }})
            as paid_social_lead_cohort_revenue
    from paid_and_crm
    group by {{ month_start('activity_date') }}, brand_id, channel

),

{% if is_incremental() %}

stored_months as (

    select activity_month, brand_id, audience_interactions, interactions_loaded_at_utc
    from {{ this }}
    where channel = 'all'

),

current_months as (

    select activity_month, brand_id, count(*) as audience_interactions
    from audience_interactions
    group by activity_month, brand_id

),

-- the first month whose ROR side must be rebuilt (see the header); null: none
first_changed_month as (

    select min(activity_month) as activity_month
    from (
        {{ changed_month_starts('interactions', 'current_months', 'stored_months', min_date, lookback_days) }}
    ) as candidates

),

roi_changed_months as (

    select distinct coalesce(roi.activity_month, stored.activity_month) as activity_month
    from roi
    full outer join {{ this }} as stored
        on roi.activity_month = stored.activity_month
        and roi.brand_id = stored.brand_id
        and roi.channel = stored.channel
    where
    {%- for column in roi_columns %}
        {{ 'or ' if not loop.first }}roi.{{ column }} is distinct from stored.{{ column }}
    {%- endfor %}

),

months_to_rebuild as (

    select distinct activity_month
    from current_months
    where activity_month >= (select activity_month from first_changed_month)
    union
    select activity_month from roi_changed_months

),

{% endif %}

audience as (

    select
        audience_interactions.*,
        case
            when channel_scopes.channel_scope = 'all' then 'all'
            else coalesce(audience_interactions.campaign_channel, 'organic_social')
        end as channel
    from audience_interactions
    cross join channel_scopes
    {% if is_incremental() %}
    where audience_interactions.activity_month in (select activity_month from months_to_rebuild)
    {% endif %}

),

first_observed as (

    select {{ month_start('min(created_date)') }} as first_observed_month
    from interactions

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
        case
            when audience.activity_month > max(first_observed.first_observed_month) then
                count(distinct
                    case when first_interactions.first_month = audience.activity_month then audience.person_key end)
        end as new_engagers,
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
        count(
            case
                when audience.is_audience_message and (audience.is_question or audience.is_complaint)
                    and audience.first_brand_or_employee_response_at_utc is not null then 1
            end
        ) as questions_or_complaints_answered_by_brand_or_employee,
        {{ percentile_cont(
            "case when audience.is_audience_message and (audience.is_question or audience.is_complaint)
                then audience.first_brand_response_minutes end", 0.5) }} as median_first_response_minutes,
        max(audience.thread_loaded_at_utc) as interactions_loaded_at_utc
    from audience
    inner join first_interactions
        on audience.brand_id = first_interactions.brand_id
        and audience.person_key = first_interactions.person_key
    cross join first_observed
    group by audience.activity_month, audience.brand_id, audience.channel

),

referrers as (

    select activity_month, brand_id, channel, count(case when has_referral_action then 1 end) as referring_engagers
    from person_referrals
    group by activity_month, brand_id, channel

),

roi_in_scope as (

    select * from roi
    {% if is_incremental() %}
    where activity_month in (select activity_month from months_to_rebuild)
    {% endif %}

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
        ror.questions_or_complaints_answered_by_brand_or_employee,
        ror.median_first_response_minutes,
        roi.spend,
        roi.ad_platform_leads,
        roi.ad_platform_purchases,
        roi.crm_leads,
        roi.crm_customers,
        roi.revenue,
        roi.lead_cohort_revenue,
        roi.paid_social_crm_leads,
        roi.paid_social_revenue,
        roi.paid_social_lead_cohort_revenue,
        ror.interactions_loaded_at_utc
    from ror
    left join referrers
        on ror.activity_month = referrers.activity_month
        and ror.brand_id = referrers.brand_id
        and ror.channel = referrers.channel
    full outer join roi_in_scope as roi
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
        questions_or_complaints_answered_by_brand_or_employee,
        {{ safe_divide('questions_or_complaints_answered_by_brand_or_employee', 'questions_or_complaints_received') }}
            as brand_or_employee_response_rate,
        round(median_first_response_minutes, 2) as median_first_response_minutes,
        spend,
        ad_platform_leads,
        ad_platform_purchases,
        crm_leads,
        crm_customers,
        revenue,
        {{ safe_divide('spend', 'ad_platform_leads') }} as cost_per_ad_platform_lead,
        paid_social_crm_leads,
        paid_social_revenue,
        {{ safe_divide('spend', 'paid_social_crm_leads') }} as cost_per_crm_lead,
        {{ safe_divide('revenue', 'crm_leads') }} as revenue_per_crm_lead,
        {{ safe_divide('paid_social_revenue - spend', 'spend') }} as cash_roi,
        lead_cohort_revenue,
        paid_social_lead_cohort_revenue,
        {{ safe_divide('paid_social_lead_cohort_revenue - spend', 'spend') }} as lead_cohort_roi,
        interactions_loaded_at_utc
    from joined

)

select * from final
