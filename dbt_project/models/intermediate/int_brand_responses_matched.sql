-- For every audience message (an audience interaction attributed to a brand whose type expects a response, seed
-- interaction_types.is_audience_message), the first brand response: the earliest interaction written by an owned
-- account of the same brand on the same platform, strictly after the message, that
--   * replies to the message itself (parent_id = the message), or
--   * sits in the message's thread (same conversation) and replies to the message's author, or
--   * for a direct message, is a later message in the same conversation.
-- Several brand replies in a thread: the earliest counts. No brand reply: no row here (null response time in marts).
with

interactions as (

    select * from {{ ref('int_interactions_attributed') }}

),

interaction_types as (

    select * from {{ ref('interaction_types') }}

),

audience_messages as (

    select interactions.*
    from interactions
    inner join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type
    where interactions.is_audience
        and interactions.brand_id is not null
        and interaction_types.is_audience_message

),

brand_interactions as (

    select *
    from interactions
    where is_brand_author

),

responses as (

    select
        audience_messages.interaction_key,
        brand_interactions.interaction_key as response_interaction_key,
        brand_interactions.created_at_utc as response_created_at_utc,
        audience_messages.created_at_utc as message_created_at_utc
    from audience_messages
    inner join brand_interactions
        on audience_messages.platform = brand_interactions.platform
        and audience_messages.brand_id = brand_interactions.brand_id
        and brand_interactions.created_at_utc > audience_messages.created_at_utc
        and (
            brand_interactions.parent_id = audience_messages.interaction_id
            or (
                coalesce(brand_interactions.conversation_id, brand_interactions.interaction_id)
                    = coalesce(audience_messages.conversation_id, audience_messages.interaction_id)
                and brand_interactions.in_reply_to_author_id = audience_messages.author_id
            )
            or (
                audience_messages.interaction_type = 'message'
                and brand_interactions.interaction_type = 'message'
                and brand_interactions.conversation_id = audience_messages.conversation_id
            )
        )

),

responses_ranked as (

    select
        *,
        row_number() over (
            partition by interaction_key
            order by response_created_at_utc, response_interaction_key
        ) as response_rank,
        count(*) over (partition by interaction_key) as brand_responses
    from responses

),

final as (

    select
        interaction_key,
        response_interaction_key as first_brand_response_key,
        response_created_at_utc as first_brand_response_at_utc,
        {{ minutes_between('message_created_at_utc', 'response_created_at_utc') }} as first_brand_response_minutes,
        brand_responses
    from responses_ranked
    where response_rank = 1

)

select * from final
