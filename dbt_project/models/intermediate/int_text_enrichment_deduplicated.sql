-- One enrichment per text: several model versions may coexist in the cache; the newest run (latest enriched_at,
-- then the highest model_version) wins, so a re-enrichment with a new model replaces the old labels everywhere.
-- sentiment_score is computed here, its one home: p_positive - p_negative, in [-1, 1], rounded to 6 decimal places
-- (the enrichment passes the class probabilities through). Probabilities are rounded to 6 decimal places too, so
-- marts do not carry the encoder's last float bits (batching can move them).
with

text_enrichment as (

    select * from {{ ref('stg_enrichment__text_enrichment') }}

),

versions_ranked as (

    select
        *,
        row_number() over (
            partition by text_hash
            order by enriched_at_utc desc, model_version desc
        ) as version_rank
    from text_enrichment

),

final as (

    select
        text_hash,
        model_name,
        model_version,
        sentiment_label,
        {{ round_rate('p_negative') }} as p_negative,
        {{ round_rate('p_neutral') }} as p_neutral,
        {{ round_rate('p_positive') }} as p_positive,
        {{ round_rate('p_positive - p_negative') }} as sentiment_score,
        emotion_label,
        {{ round_rate('p_anger') }} as p_anger,
        {{ round_rate('p_joy') }} as p_joy,
        {{ round_rate('p_optimism') }} as p_optimism,
        {{ round_rate('p_sadness') }} as p_sadness,
        is_question,
        is_complaint,
        is_praise,
        is_recommendation,
        is_purchase_intent,
        is_substantive,
        detected_lang,
        enriched_at_utc
    from versions_ranked
    where version_rank = 1

)

select * from final
