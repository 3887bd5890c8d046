-- Daily sentiment of audience interactions per platform x brand account, in two scopes: campaign_scope 'account'
-- (every audience interaction of the account, utm_campaign null) and 'campaign' (one series per utm_campaign).
-- Each series runs from its first active day to the newest interaction date in the warehouse; a day without
-- interactions is in the series with zero counts and null shares. Shares divide by sentiment-scored interactions.
-- Rolling net sentiment is a ratio of sums over the window (not a mean of daily ratios). Spike rule: a day is a
-- negative spike when its negative share exceeds the mean + spike_k x sample standard deviation of the previous
-- spike_trailing_days days' negative shares (days with a share), a volume spike likewise on audience interactions;
-- with fewer than two trailing values there is no sigma and no spike, and a negative spike also needs at least
-- spike_min_interactions sentiment-scored interactions that day (a share of a handful is noise).
{%- set rolling_7d = "partition by series_key order by activity_date rows between 6 preceding and current row" %}
{%- set rolling_28d = "partition by series_key order by activity_date rows between 27 preceding and current row" %}
{%- set trailing = "partition by series_key order by activity_date rows between "
    ~ (var('spike_trailing_days') | int) ~ " preceding and 1 preceding" %}
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

audience as (

    select *
    from interactions
    where is_audience and brand_id is not null

),

scoped as (

    select
        'account' as campaign_scope,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        audience.*
    from audience

    union all

    select
        'campaign' as campaign_scope,
        audience.utm_campaign as utm_campaign,
        audience.*
    from audience
    where audience.utm_campaign is not null

),

daily as (

    select
        {{ dbt.concat(["platform", "'|'", "brand_account_id", "'|'", "campaign_scope", "'|'",
            "coalesce(utm_campaign, '')"]) }} as series_key,
        platform,
        brand_id,
        brand_account_id as account_id,
        campaign_scope,
        utm_campaign,
        created_date as activity_date,
        count(*) as audience_interactions,
        count(case when sentiment_label is not null then 1 end) as sentiment_scored_interactions,
        count(case when sentiment_label = 'positive' then 1 end) as positive_interactions,
        count(case when sentiment_label = 'neutral' then 1 end) as neutral_interactions,
        count(case when sentiment_label = 'negative' then 1 end) as negative_interactions,
        sum(sentiment_score) as sentiment_score_sum,
        count(case when emotion_label is not null then 1 end) as emotion_labelled_interactions,
        count(case when emotion_label = 'anger' then 1 end) as anger_interactions,
        count(case when emotion_label = 'joy' then 1 end) as joy_interactions,
        count(case when emotion_label = 'optimism' then 1 end) as optimism_interactions,
        count(case when emotion_label = 'sadness' then 1 end) as sadness_interactions
    from scoped
    group by
        platform, brand_id, brand_account_id, campaign_scope, utm_campaign, created_date

),

series_bounds as (

    select
        series_key,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        min(activity_date) as first_activity_date,
        (select max(created_date) from interactions) as last_activity_date
    from daily
    group by series_key, platform, brand_id, account_id, campaign_scope, utm_campaign

),

spine as (

    {{ date_spine_per_series(
        'series_bounds',
        ['series_key', 'platform', 'brand_id', 'account_id', 'campaign_scope', 'utm_campaign'],
        'first_activity_date',
        'last_activity_date',
        'activity_date'
    ) }}

),

filled as (

    select
        spine.series_key,
        spine.activity_date,
        spine.platform,
        spine.brand_id,
        spine.account_id,
        spine.campaign_scope,
        spine.utm_campaign,
        coalesce(daily.audience_interactions, 0) as audience_interactions,
        coalesce(daily.sentiment_scored_interactions, 0) as sentiment_scored_interactions,
        coalesce(daily.positive_interactions, 0) as positive_interactions,
        coalesce(daily.neutral_interactions, 0) as neutral_interactions,
        coalesce(daily.negative_interactions, 0) as negative_interactions,
        coalesce(daily.sentiment_score_sum, 0) as sentiment_score_sum,
        coalesce(daily.emotion_labelled_interactions, 0) as emotion_labelled_interactions,
        coalesce(daily.anger_interactions, 0) as anger_interactions,
        coalesce(daily.joy_interactions, 0) as joy_interactions,
        coalesce(daily.optimism_interactions, 0) as optimism_interactions,
        coalesce(daily.sadness_interactions, 0) as sadness_interactions
    from spine
    left join daily
        on spine.series_key = daily.series_key
        and spine.activity_date = daily.activity_date

),

shares as (

    select
        *,
        {{ safe_divide('positive_interactions', 'sentiment_scored_interactions') }} as positive_share,
        {{ safe_divide('negative_interactions', 'sentiment_scored_interactions') }} as negative_share
    from filled

),

windowed as (

    select
        *,
        sum(positive_interactions) over ({{ rolling_7d }}) as positive_interactions_7d,
        sum(negative_interactions) over ({{ rolling_7d }}) as negative_interactions_7d,
        sum(sentiment_scored_interactions) over ({{ rolling_7d }}) as sentiment_scored_interactions_7d,
        sum(positive_interactions) over ({{ rolling_28d }}) as positive_interactions_28d,
        sum(negative_interactions) over ({{ rolling_28d }}) as negative_interactions_28d,
        sum(sentiment_scored_interactions) over ({{ rolling_28d }}) as sentiment_scored_interactions_28d,
        avg(negative_share) over ({{ trailing }}) as negative_share_trailing_mean,
        stddev_samp(negative_share) over ({{ trailing }}) as negative_share_trailing_stddev,
        avg(cast(audience_interactions as {{ type_double() }})) over ({{ trailing }}) as volume_trailing_mean,
        stddev_samp(cast(audience_interactions as {{ type_double() }})) over ({{ trailing }}) as volume_trailing_stddev
    from shares

),

final as (

    select
        activity_date,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        audience_interactions,
        sentiment_scored_interactions,
        positive_interactions,
        neutral_interactions,
        negative_interactions,
        positive_share,
        negative_share,
        positive_share - negative_share as net_sentiment,
        sentiment_score_sum,
        {{ safe_divide('sentiment_score_sum', 'sentiment_scored_interactions') }} as mean_sentiment_score,
        emotion_labelled_interactions,
        anger_interactions,
        joy_interactions,
        optimism_interactions,
        sadness_interactions,
        {{ safe_divide('anger_interactions', 'emotion_labelled_interactions') }} as anger_share,
        {{ safe_divide('joy_interactions', 'emotion_labelled_interactions') }} as joy_share,
        {{ safe_divide('optimism_interactions', 'emotion_labelled_interactions') }} as optimism_share,
        {{ safe_divide('sadness_interactions', 'emotion_labelled_interactions') }} as sadness_share,
        {{ safe_divide('positive_interactions_7d - negative_interactions_7d', 'sentiment_scored_interactions_7d') }}
            as net_sentiment_7d,
        {{ safe_divide('positive_interactions_28d - negative_interactions_28d', 'sentiment_scored_interactions_28d') }}
            as net_sentiment_28d,
        negative_share_trailing_mean,
        negative_share_trailing_stddev,
        sentiment_scored_interactions >= {{ var('spike_min_interactions') }}
            and coalesce(
                negative_share > negative_share_trailing_mean + {{ var('spike_k') }} * negative_share_trailing_stddev,
                false
            ) as is_negative_spike,
        volume_trailing_mean,
        volume_trailing_stddev,
        coalesce(
            audience_interactions > volume_trailing_mean + {{ var('spike_k') }} * volume_trailing_stddev,
            false
        ) as is_volume_spike
    from windowed

)

select * from final
