with

source as (

    select * from {{ source('enrichment', 'text_enrichment') }}

),

runs_ranked as (

    select
        *,
        row_number() over (
            partition by text_hash, model_version
            order by enriched_at desc
        ) as run_rank
    from source

),

final as (

    select
        {{ dbt.concat(["text_hash", "':'", "model_version"]) }} as text_enrichment_key,
        text_hash,
        model_name,
        model_version,
        sentiment_label,
        cast(p_negative as {{ type_double() }}) as p_negative,
        cast(p_neutral as {{ type_double() }}) as p_neutral,
        cast(p_positive as {{ type_double() }}) as p_positive,
        emotion_label,
        cast(p_anger as {{ type_double() }}) as p_anger,
        cast(p_joy as {{ type_double() }}) as p_joy,
        cast(p_optimism as {{ type_double() }}) as p_optimism,
        cast(p_sadness as {{ type_double() }}) as p_sadness,
        is_question,
        is_complaint,
        is_praise,
        is_recommendation,
        is_purchase_intent,
        is_substantive,
        detected_lang,
        {{ to_utc_timestamp('enriched_at') }} as enriched_at_utc
    from runs_ranked
    where run_rank = 1

)

select * from final
