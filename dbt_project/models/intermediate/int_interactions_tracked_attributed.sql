-- Who each public interaction is about, within every brand group (a brand and the competitors it tracks): one row
-- per (interaction, group, tracked party) for the parties it is about, by the same rules for the brand and for each
-- competitor, on the party's accounts (int_tracked_accounts_resolved):
--   parent       it replies to, comments on, quotes or shares an interaction written by an account of the party;
--   in_reply_to  it replies to an account of the party (in_reply_to_author_id);
--   answered     an account of the party replied to it directly (a reply or comment whose parent_id is it);
--   mention      it mentions a handle of the party on the same platform (case-insensitive, the whole handle).
-- matched_by is the first rule that applies, in that order. An interaction about two parties (a customer comparing
-- @acme with @rival) has a row for each. Not counted for any party of a group: what an account of the group wrote
-- itself (the brand's and its competitors' own posts and replies are their voice, not mentions of them), and
-- reactions, follows and private messages (seed interaction_types: engagement families applause, follow, message).
-- Tracked only: the brand's owned attribution (int_interactions_attributed, brand_id in the marts) never reads this,
-- so a competitor's mentions never enter the brand's owned metrics.
-- expects_response: its type expects a response (seed interaction_types.is_audience_message), unless it is a comment
-- or reply to someone who is neither the party nor its own author (a customer-to-customer reply), as for the brand's
-- audience messages. first_response_at_utc: the party's first public response, by int_brand_responses_matched's rules
-- for public replies: a reply or comment by an account of the party, strictly later, to the interaction itself or to
-- a later interaction of the same author in the same conversation (answering a follow-up answers the thread up to it).
with

interactions as (

    select * from {{ ref('stg_social__interactions') }}

),

mentions as (

    select * from {{ ref('int_interaction_mentions_unnested') }}

),

tracked_accounts as (

    select * from {{ ref('int_tracked_accounts_resolved') }}

),

interaction_types as (

    select * from {{ ref('interaction_types') }}

),

tracked_ids as (

    select distinct brand_id, tracked_id, platform, account_id
    from tracked_accounts
    where account_id is not null

),

tracked_handles as (

    select distinct brand_id, tracked_id, platform, handle_lower
    from tracked_accounts
    where handle_lower is not null

),

parties as (

    select distinct brand_id, tracked_id, tracked_kind, tracked_name
    from tracked_accounts

),

public_interactions as (

    select interactions.*
    from interactions
    inner join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type
    where interaction_types.engagement_family not in ('applause', 'follow', 'message')

),

-- public replies and comments written by an account of a party
party_replies as (

    select
        interactions.interaction_key,
        interactions.platform,
        interactions.parent_id,
        interactions.created_at_utc,
        tracked_ids.brand_id,
        tracked_ids.tracked_id
    from interactions
    inner join tracked_ids
        on interactions.platform = tracked_ids.platform
        and interactions.author_id = tracked_ids.account_id
    where interactions.interaction_type in ('comment', 'reply')
        and interactions.parent_id is not null

),

-- one equality join per rule (an OR-ed join would compare every interaction with every account)
candidates as (

    select public_interactions.interaction_key, tracked_ids.brand_id, tracked_ids.tracked_id, 1 as rule_rank
    from public_interactions
    inner join interactions as parents
        on public_interactions.platform = parents.platform
        and public_interactions.parent_id = parents.interaction_id
    inner join tracked_ids
        on parents.platform = tracked_ids.platform
        and parents.author_id = tracked_ids.account_id
    union all
    select public_interactions.interaction_key, tracked_ids.brand_id, tracked_ids.tracked_id, 2 as rule_rank
    from public_interactions
    inner join tracked_ids
        on public_interactions.platform = tracked_ids.platform
        and public_interactions.in_reply_to_author_id = tracked_ids.account_id
    union all
    select public_interactions.interaction_key, party_replies.brand_id, party_replies.tracked_id, 3 as rule_rank
    from public_interactions
    inner join party_replies
        on public_interactions.platform = party_replies.platform
        and public_interactions.interaction_id = party_replies.parent_id
    union all
    select public_interactions.interaction_key, tracked_handles.brand_id, tracked_handles.tracked_id, 4 as rule_rank
    from public_interactions
    inner join mentions
        on public_interactions.interaction_key = mentions.interaction_key
    inner join tracked_handles
        on mentions.platform = tracked_handles.platform
        and mentions.mentioned_handle = tracked_handles.handle_lower

),

matched as (

    select
        interaction_key,
        brand_id,
        tracked_id,
        min(rule_rank) as rule_rank,
        max(case when rule_rank = 2 then 1 else 0 end) = 1 as replies_to_party
    from candidates
    group by interaction_key, brand_id, tracked_id

),

-- written by an account of the group (by id, or by handle while the id is unknown)
group_authored as (

    select matched.interaction_key, matched.brand_id
    from matched
    inner join interactions
        on matched.interaction_key = interactions.interaction_key
    inner join tracked_ids
        on matched.brand_id = tracked_ids.brand_id
        and interactions.platform = tracked_ids.platform
        and interactions.author_id = tracked_ids.account_id
    union
    select matched.interaction_key, matched.brand_id
    from matched
    inner join interactions
        on matched.interaction_key = interactions.interaction_key
    inner join tracked_handles
        on matched.brand_id = tracked_handles.brand_id
        and interactions.platform = tracked_handles.platform
        and lower(interactions.author_handle) = tracked_handles.handle_lower

),

attributed as (

    select
        interactions.interaction_key,
        interactions.platform,
        interactions.interaction_id,
        interactions.interaction_type,
        interactions.created_at_utc,
        interactions.author_id,
        interactions.conversation_id,
        matched.brand_id,
        matched.tracked_id,
        case matched.rule_rank
            when 1 then 'parent'
            when 2 then 'in_reply_to'
            when 3 then 'answered'
            else 'mention'
        end as matched_by,
        coalesce(interaction_types.is_audience_message, false)
            and not (
                interactions.interaction_type in ('comment', 'reply')
                and coalesce(interactions.in_reply_to_author_id <> interactions.author_id, false)
                and not matched.replies_to_party
            ) as expects_response
    from matched
    inner join interactions
        on matched.interaction_key = interactions.interaction_key
    inner join interaction_types
        on interactions.interaction_type = interaction_types.interaction_type
    left join group_authored
        on matched.interaction_key = group_authored.interaction_key
        and matched.brand_id = group_authored.brand_id
    where group_authored.interaction_key is null

),

-- the party's responses, each way an equality join (see int_brand_responses_matched)
direct_responses as (

    select attributed.interaction_key, attributed.brand_id, attributed.tracked_id, party_replies.created_at_utc
    from attributed
    inner join party_replies
        on attributed.platform = party_replies.platform
        and attributed.interaction_id = party_replies.parent_id
        and attributed.brand_id = party_replies.brand_id
        and attributed.tracked_id = party_replies.tracked_id
    where attributed.expects_response
        and party_replies.created_at_utc > attributed.created_at_utc

),

-- what each party reply answers, with its author and thread; distinct, so the engine pairs the replies with what
-- they answer before the messages (joined the other way, every message met every later reply of its party first)
answered_by_party as (

    select distinct
        party_replies.platform,
        party_replies.brand_id,
        party_replies.tracked_id,
        party_replies.created_at_utc,
        answered.author_id,
        coalesce(answered.conversation_id, answered.interaction_id) as thread_id,
        answered.created_at_utc as answered_at_utc
    from party_replies
    inner join interactions as answered
        on party_replies.platform = answered.platform
        and party_replies.parent_id = answered.interaction_id

),

follow_up_responses as (

    select
        attributed.interaction_key,
        attributed.brand_id,
        attributed.tracked_id,
        answered_by_party.created_at_utc
    from attributed
    inner join answered_by_party
        on attributed.platform = answered_by_party.platform
        and attributed.author_id = answered_by_party.author_id
        and coalesce(attributed.conversation_id, attributed.interaction_id) = answered_by_party.thread_id
        and attributed.brand_id = answered_by_party.brand_id
        and attributed.tracked_id = answered_by_party.tracked_id
    where attributed.expects_response
        and answered_by_party.answered_at_utc > attributed.created_at_utc
        and answered_by_party.created_at_utc > attributed.created_at_utc

),

first_responses as (

    select interaction_key, brand_id, tracked_id, min(created_at_utc) as first_response_at_utc
    from (
        select * from direct_responses
        union all
        select * from follow_up_responses
    ) as responses
    group by interaction_key, brand_id, tracked_id

),

final as (

    select
        attributed.interaction_key,
        attributed.platform,
        attributed.interaction_id,
        attributed.interaction_type,
        attributed.created_at_utc,
        cast(attributed.created_at_utc as date) as created_date,
        attributed.brand_id,
        attributed.tracked_id,
        parties.tracked_kind,
        parties.tracked_name,
        attributed.matched_by,
        attributed.expects_response,
        first_responses.first_response_at_utc,
        case
            when first_responses.first_response_at_utc is not null
                then {{ minutes_between('attributed.created_at_utc', 'first_responses.first_response_at_utc') }}
        end as first_response_minutes
    from attributed
    inner join parties
        on attributed.brand_id = parties.brand_id
        and attributed.tracked_id = parties.tracked_id
    left join first_responses
        on attributed.interaction_key = first_responses.interaction_key
        and attributed.brand_id = first_responses.brand_id
        and attributed.tracked_id = first_responses.tracked_id

)

select * from final
