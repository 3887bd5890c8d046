{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('interaction_key')
    )
}}

-- For every audience message (an audience interaction attributed to a brand whose type expects a response, seed
-- interaction_types.is_audience_message, less customer-to-customer replies:
-- int_interactions_attributed.is_reply_to_audience), its first response by the brand and its first response by the
-- brand or one of its employees (employees seed). A response is a reply, comment or direct message (never a share,
-- retweet, quote or reaction) written by an owned account of the message's brand (or, for the second, by an employee
-- of that brand) on the same platform, strictly after the message, that
--   * replies to the message itself (parent_id = the message), or
--   * replies to a later message of the same author in the same conversation (the customer's follow-up: answering
--     it answers the thread up to it), never to an earlier one, or
--   * for a direct message, is a later message in the same conversation.
-- Several responses: the earliest counts (then the lowest interaction key). No response: no row here (null
-- response times in the marts).
-- Incremental (replacing interaction_key, macros/incremental.sql: delete+insert on DuckDB, rebuilt whole on Spark
-- without a MERGE table format): a run matches again the messages whose responses can have changed since the last
-- build - every interaction int_interactions_attributed can have re-attributed because of what was loaded since
-- (macros/changed_interactions.sql; a row's marker, interactions_loaded_at_utc, is the newest load of the message and
-- its responses, and the newest of all is the high-water mark), and every message that one of those interactions,
-- as a response, answers in any of the three ways: a reply answering a customer's follow-up sits under the follow-up,
-- which can be in another thread than the message - and all of them when the owned accounts or employees differ from
-- the last build's (accounts_digest). Each such message is matched with all its responses. A message matched again
-- that has no response any more gets a placeholder row (null first_brand_or_employee_response_at_utc) replacing the
-- stored one, deleted by the post-hook.
with

interactions as (

    select * from {{ ref('int_interactions_attributed') }}

),

interaction_types as (

    select * from {{ ref('interaction_types') }}

),

accounts as (

    {{ attribution_accounts_digest() }}

),

all_audience_messages as (

    select interactions.*
    from interactions
    inner join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type
    where interactions.is_audience
        and interactions.brand_id is not null
        and interaction_types.is_audience_message
        -- a customer-to-customer reply expects no brand response
        and not coalesce(interactions.is_reply_to_audience, false)

),

responders as (

    select
        interactions.*,
        coalesce(interactions.employee_brand_id, interactions.brand_id) as responder_brand_id
    from interactions
    where (interactions.is_brand_author or interactions.is_employee)
        and interactions.interaction_type in ('comment', 'reply', 'message')

),

{% if is_incremental() %}

stored as (

    select * from {{ this }}

),

last_build as (

    select
        max(interactions_loaded_at_utc) as interactions_loaded_at_utc,
        max(accounts_digest) as accounts_digest
    from stored

),

rebuilds_everything as (

    select
        coalesce(last_build.accounts_digest <> accounts.accounts_digest, true) as rebuilds_everything
    from last_build
    cross join accounts

),

arrived as (

    select interactions.*
    from interactions
    cross join last_build
    where last_build.interactions_loaded_at_utc is null
        or interactions.ingested_at_utc > last_build.interactions_loaded_at_utc

),

reached as (

    {{ interactions_reached_by('interactions', 'arrived') }}

),

reached_responders as (

    select responders.*
    from responders
    inner join reached
        on responders.interaction_key = reached.interaction_key

),

-- what a reached response answers, as answered_by_responders below
reached_answers as (

    select
        reached_responders.platform,
        reached_responders.responder_brand_id,
        answered.author_id,
        coalesce(answered.conversation_id, answered.interaction_id) as thread_id
    from reached_responders
    inner join interactions as answered
        on reached_responders.platform = answered.platform
        and reached_responders.parent_id = answered.interaction_id

),

-- union (not union all): a message reached in several ways is matched once; the join conditions of the three ways
-- without their time conditions (a superset: matching again gives the same row)
messages_to_match as (

    select interaction_key from reached
    union
    select all_audience_messages.interaction_key
    from all_audience_messages
    inner join reached_responders
        on all_audience_messages.platform = reached_responders.platform
        and all_audience_messages.interaction_id = reached_responders.parent_id
        and all_audience_messages.brand_id = reached_responders.responder_brand_id
    union
    select all_audience_messages.interaction_key
    from all_audience_messages
    inner join reached_answers
        on all_audience_messages.platform = reached_answers.platform
        and all_audience_messages.author_id = reached_answers.author_id
        and coalesce(all_audience_messages.conversation_id, all_audience_messages.interaction_id)
            = reached_answers.thread_id
        and all_audience_messages.brand_id = reached_answers.responder_brand_id
    union
    select all_audience_messages.interaction_key
    from all_audience_messages
    inner join reached_responders
        on all_audience_messages.platform = reached_responders.platform
        and all_audience_messages.conversation_id = reached_responders.conversation_id
        and all_audience_messages.brand_id = reached_responders.responder_brand_id
    union
    select all_audience_messages.interaction_key
    from all_audience_messages
    cross join rebuilds_everything
    where rebuilds_everything.rebuilds_everything
    union
    select stored.interaction_key
    from stored
    cross join rebuilds_everything
    where rebuilds_everything.rebuilds_everything

),

audience_messages as (

    select all_audience_messages.*
    from all_audience_messages
    inner join messages_to_match
        on all_audience_messages.interaction_key = messages_to_match.interaction_key

),

-- the interactions a follow-up response can answer for those messages: their authors' in their threads
answerable as (

    select interactions.*
    from interactions
    inner join (
        select distinct
            platform,
            author_id,
            coalesce(conversation_id, interaction_id) as thread_id
        from audience_messages
    ) as message_threads
        on interactions.platform = message_threads.platform
        and interactions.author_id = message_threads.author_id
        and coalesce(interactions.conversation_id, interactions.interaction_id) = message_threads.thread_id

),

{% else %}

audience_messages as (

    select * from all_audience_messages

),

answerable as (

    select * from interactions

),

{% endif %}

-- The three ways a response answers a message, each an equality join (one OR-ed join condition would make the
-- engine compare every message with every response of the same brand: quadratic in a brand's history).
direct_replies as (

    select
        audience_messages.interaction_key,
        responders.interaction_key as response_interaction_key
    from audience_messages
    inner join responders
        on audience_messages.platform = responders.platform
        and audience_messages.interaction_id = responders.parent_id
        and audience_messages.brand_id = responders.responder_brand_id
    where responders.created_at_utc > audience_messages.created_at_utc

),

-- what each response answers, with its author and thread; distinct, so the engine pairs the responses with what
-- they answer before the messages (joined the other way, every message met every later response of its brand first:
-- 1M interactions spilled tens of GB)
answered_by_responders as (

    select distinct
        responders.interaction_key as response_interaction_key,
        responders.platform,
        responders.responder_brand_id,
        responders.created_at_utc,
        answered.author_id,
        coalesce(answered.conversation_id, answered.interaction_id) as thread_id,
        answered.created_at_utc as answered_at_utc
    from responders
    inner join answerable as answered
        on responders.platform = answered.platform
        and responders.parent_id = answered.interaction_id

),

follow_up_replies as (

    select
        audience_messages.interaction_key,
        answered_by_responders.response_interaction_key
    from audience_messages
    inner join answered_by_responders
        on audience_messages.platform = answered_by_responders.platform
        and audience_messages.author_id = answered_by_responders.author_id
        and coalesce(audience_messages.conversation_id, audience_messages.interaction_id)
            = answered_by_responders.thread_id
        and audience_messages.brand_id = answered_by_responders.responder_brand_id
    where answered_by_responders.answered_at_utc > audience_messages.created_at_utc
        and answered_by_responders.created_at_utc > audience_messages.created_at_utc

),

direct_message_replies as (

    select
        audience_messages.interaction_key,
        responders.interaction_key as response_interaction_key
    from audience_messages
    inner join responders
        on audience_messages.platform = responders.platform
        and audience_messages.conversation_id = responders.conversation_id
        and audience_messages.brand_id = responders.responder_brand_id
    where audience_messages.interaction_type = 'message'
        and responders.interaction_type = 'message'
        and responders.created_at_utc > audience_messages.created_at_utc

),

-- union (not union all): a response that answers a message in two ways is still one response to it
responses_matched as (

    select * from direct_replies
    union
    select * from follow_up_replies
    union
    select * from direct_message_replies

),

responses as (

    select
        responses_matched.interaction_key,
        responses_matched.response_interaction_key,
        responders.is_brand_author as is_brand_response,
        responders.created_at_utc as response_created_at_utc,
        audience_messages.created_at_utc as message_created_at_utc,
        responders.ingested_at_utc as response_loaded_at_utc,
        audience_messages.ingested_at_utc as message_loaded_at_utc
    from responses_matched
    inner join audience_messages
        on responses_matched.interaction_key = audience_messages.interaction_key
    inner join responders
        on responses_matched.response_interaction_key = responders.interaction_key

),

responses_ranked as (

    select
        *,
        row_number() over (
            partition by interaction_key, is_brand_response
            order by response_created_at_utc, response_interaction_key
        ) as response_rank,
        row_number() over (
            partition by interaction_key
            order by response_created_at_utc, response_interaction_key
        ) as any_response_rank
    from responses

),

responses_first as (

    select
        interaction_key,
        max(case when is_brand_response and response_rank = 1 then response_interaction_key end)
            as first_brand_response_key,
        max(case when is_brand_response and response_rank = 1 then response_created_at_utc end)
            as first_brand_response_at_utc,
        max(
            case
                when is_brand_response and response_rank = 1
                    then {{ minutes_between('message_created_at_utc', 'response_created_at_utc') }}
            end
        ) as first_brand_response_minutes,
        count(case when is_brand_response then 1 end) as brand_responses,
        max(case when any_response_rank = 1 then response_created_at_utc end)
            as first_brand_or_employee_response_at_utc,
        max(
            case
                when any_response_rank = 1
                    then {{ minutes_between('message_created_at_utc', 'response_created_at_utc') }}
            end
        ) as first_brand_or_employee_response_minutes,
        max(greatest(message_loaded_at_utc, response_loaded_at_utc)) as interactions_loaded_at_utc
    from responses_ranked
    group by interaction_key

),

responses_marked as (

    select
        responses_first.*,
        accounts.accounts_digest
    from responses_first
    cross join accounts

),

{% if is_incremental() %}

-- the placeholder replacing a stored message matched again without any response now (deleted by the post-hook); its
-- columns come from the left join, null with their types
responses_dropped as (

    select
        stored.interaction_key,
        responses_marked.first_brand_response_key,
        responses_marked.first_brand_response_at_utc,
        responses_marked.first_brand_response_minutes,
        responses_marked.brand_responses,
        responses_marked.first_brand_or_employee_response_at_utc,
        responses_marked.first_brand_or_employee_response_minutes,
        responses_marked.interactions_loaded_at_utc,
        responses_marked.accounts_digest
    from stored
    inner join messages_to_match
        on stored.interaction_key = messages_to_match.interaction_key
    left join responses_marked
        on stored.interaction_key = responses_marked.interaction_key
    where responses_marked.interaction_key is null

),

final as (

    select * from responses_marked
    union all
    select * from responses_dropped

)

{% else %}

final as (

    select * from responses_marked

)

{% endif %}

select * from final
