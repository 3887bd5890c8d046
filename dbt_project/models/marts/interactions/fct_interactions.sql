{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('interaction_key', day='created_date')
    )
}}

-- Incremental (replacing interaction_key, macros/incremental.sql: delete+insert on DuckDB, merge on Spark with a
-- MERGE table format, else overwriting created_date partitions - see below): a run re-derives the interactions
-- created in its window,
-- [var('min_date') - var('lookback_days'), var('max_date')) - without vars, from lookback_days before the newest date
-- already loaded, open-ended - and every interaction whose thread received anything new since the last run (a new
-- or late reply, an edit, a fresh enrichment), so new rows always land and a full refresh gives the same table.
-- A changed configuration (brands, accounts, employees, campaigns, vars) rebuilds it from scratch: the refresh job
-- compares config.warehouse_hash with the one of the last build and adds --full-refresh. A brand_account_id here that
-- no attributed interaction carries any more (an account given by handle whose id has just become known:
-- int_interactions_attributed re-attributed everything) makes the run re-derive every thread, once.
-- The window comes from var('min_date') / var('max_date') when given (`dbt build --vars`), else from the Dagster
-- run's window when it was given one (macros/refresh_window.sql: read at execution time, since new vars on every run
-- would make dbt re-parse the whole project).
-- On Spark with Parquet (no row-level deletes) the table is partitioned by created_date and a run overwrites whole
-- days: every day the re-derived threads span (their interactions' days now and their rows' days here), each
-- re-derived with all its interactions, and those with their whole threads (the thread columns need them).
{%- set whole_days = overwrites_days() %}
{%- set min_date = var('min_date') or refresh_window('min_date') %}
{%- set max_date = var('max_date') or refresh_window('max_date') %}
{%- set lookback_days = var('lookback_days') | int %}
{#- when an interaction last changed here: loaded, or enriched later (a new model version), or placed on a theme
    later (a text unplaced so far joins a new theme) -#}
{%- set loaded_at -%}
    greatest(enriched.ingested_at_utc, coalesce(enriched.enriched_at_utc, enriched.ingested_at_utc),
        coalesce(enriched.theme_assigned_at_utc, enriched.ingested_at_utc))
{%- endset %}
{%- set window_start = add_days(-1 * lookback_days, "cast('" ~ min_date ~ "' as date)") if min_date
    else add_days(-1 * lookback_days, 'last_build.newest_created_date') %}
{%- set window_end = "cast('" ~ max_date ~ "' as date)" if max_date else none %}
with

interactions as (

    select * from {{ ref('int_interactions_attributed') }}

),

enrichment as (

    select * from {{ ref('int_text_enrichment_deduplicated') }}

),

brand_responses as (

    select * from {{ ref('int_brand_responses_matched') }}

),

theme_assignments as (

    select * from {{ ref('stg_enrichment__theme_assignments') }}

),

campaigns as (

    select * from {{ ref('stg_config__campaigns') }}

),

interaction_types as (

    select * from {{ ref('interaction_types') }}

),

enriched as (

    select
        interactions.*,
        cast(interactions.created_at_utc as date) as created_date,
        enrichment.model_name,
        enrichment.model_version,
        enrichment.sentiment_label,
        enrichment.p_negative,
        enrichment.p_neutral,
        enrichment.p_positive,
        enrichment.sentiment_score,
        enrichment.emotion_label,
        enrichment.is_question,
        enrichment.is_complaint,
        enrichment.is_praise,
        enrichment.is_recommendation,
        enrichment.is_purchase_intent,
        enrichment.is_substantive,
        enrichment.detected_lang,
        enrichment.enriched_at_utc,
        theme_assignments.theme_id,
        theme_assignments.theme_assigned_at_utc,
        coalesce(interaction_types.is_audience_message, false) as is_audience_message
    from interactions
    left join enrichment
        on interactions.text_hash = enrichment.text_hash
    -- a text has a theme per brand group (models/theme_tables.py): the one of the brand the row is attributed to,
    -- or of no group when it is attributed to none
    left join theme_assignments
        on interactions.text_hash = theme_assignments.text_hash
        and coalesce(interactions.brand_id, '') = coalesce(theme_assignments.brand_id, '')
    left join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type

),

{% if is_incremental() %}

last_build as (

    select
        max(thread_loaded_at_utc) as thread_loaded_at_utc,
        max(created_date) as newest_created_date
    from {{ this }}

),

-- account keys here that no attributed interaction carries any more (see the header)
stale_keys as (

    select count(*) as stale_rows
    from (select distinct platform, brand_account_id from {{ this }}) as derived
    left join (select distinct platform, brand_account_id from interactions) as attributed
        on derived.platform = attributed.platform
        and derived.brand_account_id = attributed.brand_account_id
    where derived.brand_account_id is not null
        and attributed.brand_account_id is null

),

-- The threads this run re-derives, found before the joins and the thread aggregate below so that they read only
-- these threads, not the whole history: every thread that received anything since the last build (a new or late
-- interaction, a fresh enrichment) and every thread with an interaction created in the window.
threads_in_scope as (

    select distinct
        enriched.platform,
        enriched.thread_key
    from enriched
    cross join last_build
    cross join stale_keys
    where {{ loaded_at }} > last_build.thread_loaded_at_utc
        or stale_keys.stale_rows > 0
        or (
            enriched.created_date >= {{ window_start }}
            {% if window_end %}and enriched.created_date < {{ window_end }}{% endif %}
        )

),

{% if whole_days %}

-- the days the threads in scope span: their interactions' days now, and the days of their rows here (the rows of
-- the threads, and of their interactions, whichever thread or day they were derived into before)
interactions_in_scope as (

    select
        enriched.interaction_key,
        enriched.created_date
    from enriched
    inner join threads_in_scope
        on enriched.platform = threads_in_scope.platform
        and enriched.thread_key = threads_in_scope.thread_key

),

days_to_replace as (

    select created_date
    from interactions_in_scope
    union
    select held.created_date
    from {{ this }} as held
    inner join threads_in_scope
        on held.platform = threads_in_scope.platform
        and held.thread_key = threads_in_scope.thread_key
    union
    select held.created_date
    from {{ this }} as held
    inner join interactions_in_scope
        on held.interaction_key = interactions_in_scope.interaction_key

),

-- every thread with an interaction on those days, each whole
threads_to_derive as (

    select distinct
        enriched.platform,
        enriched.thread_key
    from enriched
    inner join days_to_replace
        on enriched.created_date = days_to_replace.created_date

),

{% else %}

threads_to_derive as (

    select * from threads_in_scope

),

{% endif %}

scoped as (

    select enriched.*
    from enriched
    inner join threads_to_derive
        on enriched.platform = threads_to_derive.platform
        and enriched.thread_key = threads_to_derive.thread_key

),

{% else %}

scoped as (

    select * from enriched

),

{% endif %}

threads as (

    select
        enriched.platform,
        enriched.thread_key,
        max(
            case when enriched.is_brand_author and enriched.interaction_type in ('comment', 'reply') then 1 else 0 end
        ) = 1 as thread_has_brand_reply,
        max({{ loaded_at }}) as thread_loaded_at_utc
    from scoped as enriched
    group by enriched.platform, enriched.thread_key

),

joined as (

    select
        enriched.interaction_key,
        enriched.platform,
        enriched.interaction_id,
        enriched.record_version,
        enriched.interaction_type,
        enriched.created_at_utc,
        enriched.created_date,
        enriched.author_id,
        enriched.author_handle,
        enriched.author_name,
        enriched.brand_id,
        enriched.brand_account_id,
        enriched.attribution_rule,
        enriched.owned_content_id,
        enriched.is_brand_author,
        enriched.is_employee,
        enriched.is_audience,
        enriched.parent_id,
        enriched.conversation_id,
        enriched.thread_key,
        enriched.in_reply_to_author_id,
        {{ masked_contact_details('enriched.text_content') }} as message_text,
        enriched.url as permalink,
        enriched.text_hash,
        enriched.sentiment_label,
        enriched.sentiment_score,
        enriched.p_negative,
        enriched.p_neutral,
        enriched.p_positive,
        enriched.emotion_label,
        enriched.is_question,
        enriched.is_complaint,
        enriched.is_praise,
        enriched.is_recommendation,
        enriched.is_purchase_intent,
        enriched.is_substantive,
        enriched.detected_lang,
        enriched.theme_id,
        enriched.model_name,
        enriched.model_version,
        enriched.utm_campaign,
        campaigns.campaign_name,
        campaigns.channel as campaign_channel,
        enriched.like_count,
        enriched.reply_count,
        enriched.share_count,
        enriched.quote_count,
        enriched.impression_count,
        -- the seed says which types expect a response; a customer-to-customer reply never does (on X it carries the
        -- handles of everyone in the thread, the brand's included, so a mention does not make it one)
        enriched.is_audience_message and enriched.is_audience and enriched.brand_id is not null
            and not coalesce(enriched.is_reply_to_audience, false)
            as is_audience_message,
        brand_responses.first_brand_response_at_utc,
        brand_responses.first_brand_response_minutes,
        coalesce(brand_responses.brand_responses, 0) as brand_responses,
        brand_responses.first_brand_or_employee_response_at_utc,
        brand_responses.first_brand_or_employee_response_minutes,
        coalesce(threads.thread_has_brand_reply, false) as thread_has_brand_reply,
        not enriched.is_brand_author and enriched.brand_id is not null
            and coalesce(enriched.is_recommendation, false) as is_recommendation_referral,
        -- whatever rule attributed it (a mention the brand answered is attributed by 'answered'); never a comment,
        -- reply or message: those carry the thread's handles (X adds them to every reply) or talk to the brand itself
        enriched.is_audience and enriched.brand_id is not null and enriched.mentions_owned_account
            and enriched.interaction_type not in ('comment', 'reply', 'message')
            and coalesce(enriched.sentiment_label = 'positive', false) as is_shout_out,
        not enriched.is_brand_author and enriched.interaction_type in ('share', 'quote')
            and coalesce(enriched.attribution_rule in ('conversation_root', 'parent'), false)
            as is_brand_content_share,
        enriched.is_audience and enriched.brand_id is not null
            and (
                enriched.interaction_type = 'ugc'
                or (
                    enriched.interaction_type in ('post', 'mention')
                    and enriched.parent_id is null
                    and enriched.mentions_owned_account
                    and enriched.has_link_or_media
                )
            ) as is_ugc,
        coalesce(enriched.sentiment_label = 'negative', false) as is_negative,
        enriched.ingested_at_utc,
        enriched.enriched_at_utc,
        threads.thread_loaded_at_utc
    from scoped as enriched
    left join campaigns
        on enriched.utm_campaign = campaigns.utm_campaign
    left join brand_responses
        on enriched.interaction_key = brand_responses.interaction_key
    left join threads
        on enriched.platform = threads.platform
        and enriched.thread_key = threads.thread_key

),

in_window as (

    select
        joined.*,
        joined.is_shout_out
            or (
                (joined.is_recommendation_referral or joined.is_brand_content_share or joined.is_ugc)
                and not joined.is_negative
            )
            as is_referral_action
    from joined
    {% if is_incremental() and whole_days %}
    inner join days_to_replace
        on joined.created_date = days_to_replace.created_date
    {% elif is_incremental() %}
    cross join last_build
    cross join stale_keys
    where
        joined.thread_loaded_at_utc > last_build.thread_loaded_at_utc
        or stale_keys.stale_rows > 0
        or (
            joined.created_date >= {{ window_start }}
            {% if window_end %}and joined.created_date < {{ window_end }}{% endif %}
        )
    {% endif %}

),

final as (

    select
        interaction_key,
        platform,
        interaction_id,
        record_version,
        interaction_type,
        created_at_utc,
        created_date,
        author_id,
        author_handle,
        author_name,
        brand_id,
        brand_account_id,
        attribution_rule,
        owned_content_id,
        is_brand_author,
        is_employee,
        is_audience,
        parent_id,
        conversation_id,
        thread_key,
        in_reply_to_author_id,
        message_text,
        permalink,
        text_hash,
        sentiment_label,
        sentiment_score,
        p_negative,
        p_neutral,
        p_positive,
        emotion_label,
        is_question,
        is_complaint,
        is_praise,
        is_recommendation,
        is_purchase_intent,
        is_substantive,
        detected_lang,
        theme_id,
        model_name,
        model_version,
        utm_campaign,
        campaign_name,
        campaign_channel,
        like_count,
        reply_count,
        share_count,
        quote_count,
        impression_count,
        is_audience_message,
        first_brand_response_at_utc,
        first_brand_response_minutes,
        brand_responses,
        first_brand_or_employee_response_at_utc,
        first_brand_or_employee_response_minutes,
        thread_has_brand_reply,
        is_recommendation_referral,
        is_shout_out,
        is_brand_content_share,
        is_ugc,
        is_referral_action,
        ingested_at_utc,
        enriched_at_utc,
        thread_loaded_at_utc
    from in_window

)

select * from final
