{{
    config(
        materialized='incremental',
        on_schema_change='fail',
        **incremental_replace('interaction_key')
    )
}}

-- Attributes every interaction to a brand account, first rule that applies wins:
--   1. author      the author is an owned account;
--   2. conversation_root  the thread root (conversation_id) was written by an owned account;
--   3. parent      the interaction replies to / quotes / shares / reacts to an owned account's interaction;
--   4. in_reply_to it replies to an owned account (in_reply_to_author_id);
--   5. answered    an owned account replied to it directly (a reply, comment or message whose parent_id is this
--                  interaction; the earliest such reply, then the lowest account id, when several brands answered):
--                  customers tag @acme, @AcmeHelp answers, and the message belongs to the brand that answered;
--   6. mention     it mentions a configured account's handle on the same platform (case-insensitive, the whole
--                  handle: @unitedcare is not @united; the alphabetically first brand, then account key, when several
--                  are mentioned). It needs no id: a brand given by handle alone whose account never posts in the
--                  exports (a listening export, a mention search) still gets every mention, under the account key
--                  '<platform>:@<handle>' (int_owned_accounts_resolved.account_key) until its id is known;
--   7. conversation_mention  its thread root mentions an owned handle (a conversation about the brand that someone
--                  else started, e.g. a customer's or an employee's post tagging the brand);
--   8. conversation_answered  an owned account answered its thread root directly (rule 5 applied to the root): a
--                  customer's follow-up under their own answered message.
-- One exception to the order: a message that another brand answered than the one rules 2-4 give (a customer replies
-- under brand A's post, brand B answers it) belongs to the brand that answered, by rule 5: that brand owns the answer
-- and its response time, and the message then carries no utm_campaign (the campaign is brand A's).
-- A customer reply to the brand's own reply is rule 3 (parent). Rules 1-5 and 8 match ids, so they apply only to
-- accounts whose id is known (configured, or resolved from the handle: a handle that changed hands resolves to its
-- most recent id) and win over the handle-based rules 6 and 7. brand_account_id is the account's account_key: its
-- id once known, else '<platform>:@<handle>'.
-- owned_content_id is the owned interaction the row hangs under (an owned post itself, else its owned thread root,
-- else its owned parent). Also flags brand authors, employees (configured) and the audience (neither), and finds the
-- utm_campaign of the owned post the interaction belongs to (itself when a brand account wrote it, else its thread
-- root, else its parent, each only when an owned account wrote it): the utm_campaign query parameter of the post's
-- first link that carries one (link_urls: X shows only t.co links in the text), else of a URL in its text, else of
-- its url. fct_interactions maps it to a campaign through the configured campaigns.
-- Incremental (replacing interaction_key; a changed configuration rebuilds it from scratch, as the refresh job adds
-- --full-refresh): a run re-attributes only the interactions whose attribution can have changed since the last
-- build: every interaction of a thread that received a new or changed interaction, and every interaction that a new
-- one replies to, or whose parent or thread root is a new one (late arrivals, quotes of another thread). When a row
-- here carries an account key that is no longer current (an account given by handle whose id has just become known,
-- or a handle that now resolves to another id), everything is re-attributed once: the id-based rules may now claim
-- rows in any thread.
with

interactions as (

    select * from {{ ref('stg_social__interactions') }}

),

mentions as (

    select * from {{ ref('int_interaction_mentions_unnested') }}

),

owned_accounts as (

    select
        platform,
        account_id,
        brand_id
    from {{ ref('int_owned_accounts_resolved') }}
    where account_id is not null

),

-- every configured account with a handle, whether or not its id is known (the mention rules)
owned_handles as (

    select
        platform,
        handle_lower,
        brand_id,
        account_key
    from {{ ref('int_owned_accounts_resolved') }}
    where handle_lower is not null

),

employees as (

    select * from {{ ref('int_employees_resolved') }}
    where person_id is not null

),

owned_mentions_ranked as (

    select
        mentions.interaction_key,
        owned_handles.brand_id,
        owned_handles.account_key as account_id,
        row_number() over (
            partition by mentions.interaction_key
            order by owned_handles.brand_id, owned_handles.account_key
        ) as mention_rank
    from mentions
    inner join owned_handles
        on mentions.platform = owned_handles.platform
        and mentions.mentioned_handle = owned_handles.handle_lower

),

first_owned_mention as (

    select interaction_key, brand_id, account_id
    from owned_mentions_ranked
    where mention_rank = 1

),

owned_answers_ranked as (

    select
        answers.platform,
        answers.parent_id as answered_id,
        owned_accounts.brand_id,
        owned_accounts.account_id,
        row_number() over (
            partition by answers.platform, answers.parent_id
            order by answers.created_at_utc, owned_accounts.account_id
        ) as answer_rank
    from interactions as answers
    inner join owned_accounts
        on answers.platform = owned_accounts.platform
        and answers.author_id = owned_accounts.account_id
    where answers.parent_id is not null
        and answers.interaction_type in ('comment', 'reply', 'message')

),

first_owned_answer as (

    select platform, answered_id, brand_id, account_id
    from owned_answers_ranked
    where answer_rank = 1

),

{% if is_incremental() %}

last_build as (

    select max(ingested_at_utc) as ingested_at_utc from {{ this }}

),

-- account keys here that are no longer an account's key (see the header)
stale_keys as (

    select count(*) as stale_rows
    from (select distinct platform, brand_account_id from {{ this }}) as attributed
    left join {{ ref('int_owned_accounts_resolved') }} as current_accounts
        on attributed.platform = current_accounts.platform
        and attributed.brand_account_id = current_accounts.account_key
    where attributed.brand_account_id is not null
        and current_accounts.account_key is null

),

arrived as (

    select interactions.*
    from interactions
    cross join last_build
    where interactions.ingested_at_utc > last_build.ingested_at_utc

),

arrived_threads as (

    select distinct platform, coalesce(conversation_id, parent_id, interaction_id) as thread_key
    from arrived

),

-- union (not union all): an interaction reached in several ways is attributed once
keys_to_attribute as (

    select interactions.interaction_key
    from interactions
    inner join arrived_threads
        on interactions.platform = arrived_threads.platform
        and coalesce(interactions.conversation_id, interactions.parent_id, interactions.interaction_id)
            = arrived_threads.thread_key
    union
    select interactions.interaction_key
    from interactions
    inner join arrived
        on interactions.platform = arrived.platform
        and interactions.interaction_id = arrived.parent_id
    union
    select interactions.interaction_key
    from interactions
    inner join arrived
        on interactions.platform = arrived.platform
        and interactions.parent_id = arrived.interaction_id
    union
    select interactions.interaction_key
    from interactions
    inner join arrived
        on interactions.platform = arrived.platform
        and interactions.conversation_id = arrived.interaction_id
    union
    select interactions.interaction_key
    from interactions
    inner join arrived
        on interactions.platform = arrived.platform
        and interactions.conversation_id = arrived.parent_id

),

to_attribute as (

    select interactions.*
    from interactions
    cross join stale_keys
    left join keys_to_attribute
        on interactions.interaction_key = keys_to_attribute.interaction_key
    where keys_to_attribute.interaction_key is not null
        or stale_keys.stale_rows > 0

),

{% else %}

to_attribute as (

    select * from interactions

),

{% endif %}

joined as (

    select
        interactions.*,
        author_owned.brand_id as author_brand_id,
        author_owned.account_id as author_account_id,
        root_owned.brand_id as root_brand_id,
        root_owned.account_id as root_account_id,
        parent_owned.brand_id as parent_brand_id,
        parent_owned.account_id as parent_account_id,
        reply_owned.brand_id as in_reply_to_brand_id,
        reply_owned.account_id as in_reply_to_account_id,
        first_owned_mention.brand_id as mention_brand_id,
        first_owned_mention.account_id as mention_account_id,
        root_mention.brand_id as root_mention_brand_id,
        root_mention.account_id as root_mention_account_id,
        answer_owned.brand_id as answered_brand_id,
        answer_owned.account_id as answered_account_id,
        root_answer_owned.brand_id as root_answered_brand_id,
        root_answer_owned.account_id as root_answered_account_id,
        employees.brand_id as employee_brand_id,
        reply_employees.brand_id as in_reply_to_employee_brand_id,
        coalesce({{ first_url_parameter('interactions.link_urls', 'utm_campaign') }},
            {{ url_parameter('interactions.text_content', 'utm_campaign') }},
            {{ url_parameter('interactions.url', 'utm_campaign') }}) as own_utm_campaign,
        coalesce({{ first_url_parameter('roots.link_urls', 'utm_campaign') }},
            {{ url_parameter('roots.text_content', 'utm_campaign') }},
            {{ url_parameter('roots.url', 'utm_campaign') }}) as root_utm_campaign,
        coalesce({{ first_url_parameter('parents.link_urls', 'utm_campaign') }},
            {{ url_parameter('parents.text_content', 'utm_campaign') }},
            {{ url_parameter('parents.url', 'utm_campaign') }}) as parent_utm_campaign
    from to_attribute as interactions
    left join owned_accounts as author_owned
        on interactions.platform = author_owned.platform
        and interactions.author_id = author_owned.account_id
    left join interactions as roots
        on interactions.platform = roots.platform
        and interactions.conversation_id = roots.interaction_id
    left join owned_accounts as root_owned
        on roots.platform = root_owned.platform
        and roots.author_id = root_owned.account_id
    left join interactions as parents
        on interactions.platform = parents.platform
        and interactions.parent_id = parents.interaction_id
    left join owned_accounts as parent_owned
        on parents.platform = parent_owned.platform
        and parents.author_id = parent_owned.account_id
    left join owned_accounts as reply_owned
        on interactions.platform = reply_owned.platform
        and interactions.in_reply_to_author_id = reply_owned.account_id
    left join first_owned_mention
        on interactions.interaction_key = first_owned_mention.interaction_key
    left join first_owned_mention as root_mention
        on roots.interaction_key = root_mention.interaction_key
    left join first_owned_answer as answer_owned
        on interactions.platform = answer_owned.platform
        and interactions.interaction_id = answer_owned.answered_id
    left join first_owned_answer as root_answer_owned
        on roots.platform = root_answer_owned.platform
        and roots.interaction_id = root_answer_owned.answered_id
    left join employees
        on interactions.platform = employees.platform
        and interactions.author_id = employees.person_id
    left join employees as reply_employees
        on interactions.platform = reply_employees.platform
        and interactions.in_reply_to_author_id = reply_employees.person_id

),

-- rule 5 before rules 2-4 when another brand answered (see the header)
precedence as (

    select
        *,
        coalesce(
            answered_brand_id <> coalesce(root_brand_id, parent_brand_id, in_reply_to_brand_id), false
        ) as is_answered_by_other_brand
    from joined

),

final as (

    select
        interaction_key,
        platform,
        interaction_id,
        record_version,
        interaction_type,
        created_at_utc,
        author_id,
        author_handle,
        author_name,
        text_content,
        text_hash,
        platform_lang,
        parent_id,
        conversation_id,
        in_reply_to_author_id,
        url,
        like_count,
        reply_count,
        share_count,
        quote_count,
        impression_count,
        ingested_at_utc,
        coalesce(conversation_id, parent_id, interaction_id) as thread_key,
        author_account_id is not null as is_brand_author,
        employee_brand_id is not null as is_employee,
        author_account_id is null and employee_brand_id is null as is_audience,
        employee_brand_id,
        coalesce(
            author_brand_id, case when is_answered_by_other_brand then answered_brand_id end,
            root_brand_id, parent_brand_id, in_reply_to_brand_id, answered_brand_id,
            mention_brand_id, root_mention_brand_id, root_answered_brand_id
        ) as brand_id,
        coalesce(
            author_account_id, case when is_answered_by_other_brand then answered_account_id end,
            root_account_id, parent_account_id, in_reply_to_account_id, answered_account_id,
            mention_account_id, root_mention_account_id, root_answered_account_id
        ) as brand_account_id,
        case
            when author_account_id is not null then 'author'
            when is_answered_by_other_brand then 'answered'
            when root_account_id is not null then 'conversation_root'
            when parent_account_id is not null then 'parent'
            when in_reply_to_account_id is not null then 'in_reply_to'
            when answered_account_id is not null then 'answered'
            when mention_account_id is not null then 'mention'
            when root_mention_account_id is not null then 'conversation_mention'
            when root_answered_account_id is not null then 'conversation_answered'
        end as attribution_rule,
        coalesce({{ list_length('link_urls') }}, 0) > 0 as has_link_or_media,
        mention_account_id is not null as mentions_owned_account,
        -- an audience member's comment or reply to someone who is neither an owned account, nor an employee, nor
        -- its own author: a customer-to-customer reply
        coalesce(
            interaction_type in ('comment', 'reply')
            and author_account_id is null
            and employee_brand_id is null
            and in_reply_to_author_id <> author_id
            and in_reply_to_account_id is null
            and in_reply_to_employee_brand_id is null,
            false
        ) as is_reply_to_audience,
        case
            when author_account_id is not null and interaction_type = 'post' then interaction_id
            when root_account_id is not null then conversation_id
            when parent_account_id is not null then parent_id
        end as owned_content_id,
        case when not is_answered_by_other_brand then
            coalesce(
                case when author_account_id is not null then own_utm_campaign end,
                case when root_account_id is not null then root_utm_campaign end,
                case when parent_account_id is not null then parent_utm_campaign end
            )
        end as utm_campaign
    from precedence

)

select * from final
