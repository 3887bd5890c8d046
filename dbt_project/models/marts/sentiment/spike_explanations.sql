-- The themes that explain each spike of sentiment_trend (campaign_scope 'account'): for a negative spike, the
-- themes most over-represented among that day's negative audience interactions against the trailing days; for a
-- volume spike, among all of them (int_spike_theme_lift has the formula). Themes over-represented (lift above 1)
-- with at least var('spike_theme_min_interactions') interactions that day, ranked by lift (then by the day's count,
-- then theme_id), the first var('spike_top_themes') kept. A spike whose day has no such theme has no row.
with

trend as (

    select * from {{ ref('sentiment_trend') }}

),

lifts as (

    select * from {{ ref('int_spike_theme_lift') }}

),

themes as (

    select * from {{ ref('stg_enrichment__themes') }}

),

spikes as (

    select activity_date, platform, brand_id, account_id, 'negative' as spike_kind
    from trend
    where campaign_scope = 'account' and is_negative_spike

    union all

    select activity_date, platform, brand_id, account_id, 'volume' as spike_kind
    from trend
    where campaign_scope = 'account' and is_volume_spike

),

ranked as (

    select
        lifts.*,
        row_number() over (
            partition by lifts.spike_kind, lifts.platform, lifts.brand_id, lifts.account_id, lifts.activity_date
            order by lifts.lift desc, lifts.theme_interactions desc, lifts.theme_id asc
        ) as theme_rank
    from spikes
    inner join lifts
        on spikes.spike_kind = lifts.spike_kind
        and spikes.platform = lifts.platform
        and spikes.brand_id = lifts.brand_id
        and spikes.account_id = lifts.account_id
        and spikes.activity_date = lifts.activity_date
    where lifts.theme_interactions >= {{ var('spike_theme_min_interactions') }} and lifts.lift > 1

),

final as (

    select
        ranked.activity_date,
        ranked.platform,
        ranked.brand_id,
        ranked.account_id,
        ranked.spike_kind,
        cast(ranked.theme_rank as {{ dbt.type_bigint() }}) as theme_rank,
        ranked.theme_id,
        themes.theme_label,
        ranked.theme_interactions,
        ranked.themed_interactions,
        ranked.baseline_theme_interactions,
        ranked.baseline_themed_interactions,
        ranked.themes_seen,
        ranked.day_share,
        ranked.baseline_share_smoothed,
        ranked.lift,
        ranked.example_interaction_key_1,
        ranked.example_interaction_key_2,
        ranked.example_interaction_key_3
    from ranked
    left join themes
        on ranked.theme_id = themes.theme_id
        and ranked.brand_id = themes.brand_id
    where ranked.theme_rank <= {{ var('spike_top_themes') }}

)

select * from final
