-- Weekly (ISO week, Monday start, UTC) roll-up of sentiment_trend: the daily counts summed per week and the shares
-- recomputed from the sums, for the same series (platform x brand account x campaign scope).
with

daily as (

    select * from {{ ref('sentiment_trend') }}

),

weekly as (

    select
        {{ iso_week_start('activity_date') }} as week_start_date,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        count(*) as days_in_series,
        cast(sum(audience_interactions) as {{ dbt.type_bigint() }}) as audience_interactions,
        cast(sum(sentiment_scored_interactions) as {{ dbt.type_bigint() }}) as sentiment_scored_interactions,
        cast(sum(interactions_not_scored_language) as {{ dbt.type_bigint() }}) as interactions_not_scored_language,
        cast(sum(positive_interactions) as {{ dbt.type_bigint() }}) as positive_interactions,
        cast(sum(neutral_interactions) as {{ dbt.type_bigint() }}) as neutral_interactions,
        cast(sum(negative_interactions) as {{ dbt.type_bigint() }}) as negative_interactions,
        {{ exact_sum('sentiment_score_sum') }} as sentiment_score_sum,
        cast(sum(emotion_labelled_interactions) as {{ dbt.type_bigint() }}) as emotion_labelled_interactions,
        cast(sum(anger_interactions) as {{ dbt.type_bigint() }}) as anger_interactions,
        cast(sum(joy_interactions) as {{ dbt.type_bigint() }}) as joy_interactions,
        cast(sum(optimism_interactions) as {{ dbt.type_bigint() }}) as optimism_interactions,
        cast(sum(sadness_interactions) as {{ dbt.type_bigint() }}) as sadness_interactions,
        max(case when is_negative_spike then 1 else 0 end) = 1 as has_negative_spike_day
    from daily
    group by {{ iso_week_start('activity_date') }}, platform, brand_id, account_id, campaign_scope, utm_campaign

),

final as (

    select
        week_start_date,
        platform,
        brand_id,
        account_id,
        campaign_scope,
        utm_campaign,
        days_in_series,
        audience_interactions,
        sentiment_scored_interactions,
        interactions_not_scored_language,
        positive_interactions,
        neutral_interactions,
        negative_interactions,
        {{ safe_divide('positive_interactions', 'sentiment_scored_interactions') }} as positive_share,
        {{ safe_divide('negative_interactions', 'sentiment_scored_interactions') }} as negative_share,
        {{ safe_divide('positive_interactions - negative_interactions', 'sentiment_scored_interactions') }}
            as net_sentiment,
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
        has_negative_spike_day
    from weekly

)

select * from final
