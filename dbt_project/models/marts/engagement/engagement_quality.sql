-- Per day (the owned posts' publication date, UTC) x platform x brand account x campaign: the owned posts
-- published that day and the audience response they have received so far. Rates divide by the number of posts or
-- by the denominator named in the column; a zero or missing denominator gives null. Engagement rates by followers,
-- reach and impressions only count posts whose platform gives that denominator, in numerator and denominator alike.
with

owned_posts as (

    select * from {{ ref('fct_owned_posts') }}

),

aggregated as (

    select
        created_date as activity_date,
        platform,
        brand_id,
        account_id,
        utm_campaign,
        max(campaign_name) as campaign_name,
        count(*) as owned_posts,
        cast(sum(audience_comments_and_replies) as {{ dbt.type_bigint() }}) as audience_comments_and_replies,
        cast(sum(amplifications) as {{ dbt.type_bigint() }}) as amplifications,
        cast(sum(applause) as {{ dbt.type_bigint() }}) as applause,
        cast(sum(engagements) as {{ dbt.type_bigint() }}) as engagements,
        cast(sum(followers_at_post_time) as {{ dbt.type_bigint() }}) as followers_at_post_time,
        cast(sum(case when followers_at_post_time is not null then engagements end) as {{ dbt.type_bigint() }})
            as engagements_on_posts_with_followers,
        cast(sum(reach) as {{ dbt.type_bigint() }}) as reach,
        cast(sum(case when reach is not null then engagements end) as {{ dbt.type_bigint() }})
            as engagements_on_posts_with_reach,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(case when impressions is not null then engagements end) as {{ dbt.type_bigint() }})
            as engagements_on_posts_with_impressions,
        cast(sum(substantive_comments_and_replies) as {{ dbt.type_bigint() }}) as substantive_comments_and_replies,
        cast(sum(enriched_comments_and_replies) as {{ dbt.type_bigint() }}) as enriched_comments_and_replies,
        cast(sum(thoughtful_replies) as {{ dbt.type_bigint() }}) as thoughtful_replies,
        cast(sum(positive_audience_interactions) as {{ dbt.type_bigint() }}) as positive_audience_interactions,
        cast(sum(sentiment_scored_audience_interactions) as {{ dbt.type_bigint() }})
            as sentiment_scored_audience_interactions
    from owned_posts
    group by created_date, platform, brand_id, account_id, utm_campaign

),

final as (

    select
        activity_date,
        platform,
        brand_id,
        account_id,
        utm_campaign,
        campaign_name,
        owned_posts,
        audience_comments_and_replies,
        amplifications,
        applause,
        engagements,
        {{ safe_divide('audience_comments_and_replies', 'owned_posts') }} as conversation_rate_per_post,
        {{ safe_divide('amplifications', 'owned_posts') }} as amplification_rate_per_post,
        {{ safe_divide('applause', 'owned_posts') }} as applause_rate_per_post,
        followers_at_post_time,
        {{ safe_divide('engagements_on_posts_with_followers', 'followers_at_post_time') }}
            as engagement_rate_by_followers,
        reach,
        {{ safe_divide('engagements_on_posts_with_reach', 'reach') }} as engagement_rate_by_reach,
        impressions,
        {{ safe_divide('engagements_on_posts_with_impressions', 'impressions') }} as engagement_rate_by_impressions,
        substantive_comments_and_replies,
        enriched_comments_and_replies,
        {{ safe_divide('substantive_comments_and_replies', 'enriched_comments_and_replies') }}
            as meaningful_comment_share,
        thoughtful_replies,
        positive_audience_interactions,
        sentiment_scored_audience_interactions,
        {{ safe_divide('positive_audience_interactions', 'sentiment_scored_audience_interactions') }}
            as affinity_rating
    from aggregated

)

select * from final
