-- Weekly (ISO week, Monday start, UTC) volume, share and sentiment of each theme per platform x brand, from the
-- audience interactions of fct_interactions (is_audience, brand attributed). The brand's conversation of a week is
-- all its audience interactions on that platform, themed or not; the shares of a week's themes therefore sum to at
-- most 1 (the rest is unthemed: low-effort, unplaced, or no text). The previous period is the week before; a theme
-- without interactions then had volume 0 there.
with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

audience as (

    select
        {{ iso_week_start('created_date') }} as week_start_date,
        platform,
        brand_id,
        theme_id,
        sentiment_label,
        emotion_label
    from interactions
    where is_audience and brand_id is not null

),

brand_weeks as (

    select
        week_start_date,
        platform,
        brand_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as brand_audience_interactions
    from audience
    group by week_start_date, platform, brand_id

),

theme_weeks as (

    select
        week_start_date,
        platform,
        brand_id,
        theme_id,
        cast(count(*) as {{ dbt.type_bigint() }}) as audience_interactions,
        cast(sum(case when sentiment_label is not null then 1 else 0 end) as {{ dbt.type_bigint() }})
            as sentiment_scored_interactions,
        cast(sum(case when sentiment_label = 'positive' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as positive_interactions,
        cast(sum(case when sentiment_label = 'negative' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as negative_interactions,
        cast(sum(case when emotion_label = 'anger' then 1 else 0 end) as {{ dbt.type_bigint() }}) as anger_interactions,
        cast(sum(case when emotion_label = 'joy' then 1 else 0 end) as {{ dbt.type_bigint() }}) as joy_interactions,
        cast(sum(case when emotion_label = 'optimism' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as optimism_interactions,
        cast(sum(case when emotion_label = 'sadness' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as sadness_interactions
    from audience
    where theme_id is not null
    group by week_start_date, platform, brand_id, theme_id

),

with_previous as (

    select
        theme_weeks.*,
        brand_weeks.brand_audience_interactions,
        cast(coalesce(previous_theme.audience_interactions, 0) as {{ dbt.type_bigint() }})
            as previous_audience_interactions,
        previous_brand.brand_audience_interactions as previous_brand_audience_interactions
    from theme_weeks
    inner join brand_weeks
        on theme_weeks.week_start_date = brand_weeks.week_start_date
        and theme_weeks.platform = brand_weeks.platform
        and theme_weeks.brand_id = brand_weeks.brand_id
    left join theme_weeks as previous_theme
        on previous_theme.week_start_date = {{ add_days(-7, 'theme_weeks.week_start_date') }}
        and previous_theme.platform = theme_weeks.platform
        and previous_theme.brand_id = theme_weeks.brand_id
        and previous_theme.theme_id = theme_weeks.theme_id
    left join brand_weeks as previous_brand
        on previous_brand.week_start_date = {{ add_days(-7, 'theme_weeks.week_start_date') }}
        and previous_brand.platform = theme_weeks.platform
        and previous_brand.brand_id = theme_weeks.brand_id

),

final as (

    select
        week_start_date,
        platform,
        brand_id,
        theme_id,
        audience_interactions,
        brand_audience_interactions,
        {{ safe_divide('audience_interactions', 'brand_audience_interactions') }} as share_of_brand_conversation,
        sentiment_scored_interactions,
        positive_interactions,
        negative_interactions,
        {{ safe_divide('positive_interactions - negative_interactions', 'sentiment_scored_interactions') }}
            as net_sentiment,
        previous_audience_interactions,
        audience_interactions - previous_audience_interactions as audience_interactions_change,
        {{ safe_divide('audience_interactions', 'brand_audience_interactions') }}
            - {{ safe_divide('previous_audience_interactions', 'previous_brand_audience_interactions') }}
            as share_of_brand_conversation_change,
        case
            when anger_interactions + joy_interactions + optimism_interactions + sadness_interactions = 0 then null
            when anger_interactions >= greatest(joy_interactions, optimism_interactions, sadness_interactions)
                then 'anger'
            when joy_interactions >= greatest(optimism_interactions, sadness_interactions) then 'joy'
            when optimism_interactions >= sadness_interactions then 'optimism'
            else 'sadness'
        end as leading_emotion,
        anger_interactions,
        joy_interactions,
        optimism_interactions,
        sadness_interactions
    from with_previous

)

select * from final
