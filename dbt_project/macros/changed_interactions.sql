{#- The interactions whose row in int_interactions_attributed an incremental run of it can have re-derived because of
    the interactions in `arrived` (loaded since a model's last build): the same reach as its keys_to_attribute -
    every interaction of a thread that received one, the interaction each one replies to, and every interaction
    that replies to one, whose thread root is one, or whose thread root is what one replies to. A reply to a
    comment can sit in another thread than the comment: the parent and child joins reach across threads.
    `interactions`: a relation with int_interactions_attributed's columns. One row per interaction_key. -#}
{% macro interactions_reached_by(interactions, arrived) -%}
    -- one pass over the interactions, each probing the arrivals five ways (five joins unioned read them five times)
    select reachable.interaction_key
    from {{ interactions }} as reachable
    where exists (
        select 1 from {{ arrived }} as arrival
        where arrival.platform = reachable.platform and arrival.thread_key = reachable.thread_key
    )
    or exists (
        select 1 from {{ arrived }} as arrival
        where arrival.platform = reachable.platform and arrival.parent_id = reachable.interaction_id
    )
    or exists (
        select 1 from {{ arrived }} as arrival
        where arrival.platform = reachable.platform and arrival.interaction_id = reachable.parent_id
    )
    or exists (
        select 1 from {{ arrived }} as arrival
        where arrival.platform = reachable.platform and arrival.interaction_id = reachable.conversation_id
    )
    or exists (
        select 1 from {{ arrived }} as arrival
        where arrival.platform = reachable.platform and arrival.parent_id = reachable.conversation_id
    )
{%- endmacro %}

{#- A digest of the owned accounts and employees the attribution used (their keys, ids and brands): an incremental
    model that stores it rebuilds everything when it differs, since a newly resolved account id or employee makes
    int_interactions_attributed re-attribute rows in any thread (a brand's account or employee given by handle,
    whose id an export has just shown). The same value on every row of a build, full or incremental. -#}
{% macro attribution_accounts_digest() -%}
    select {{ sorted_digest('entry') }} as accounts_digest
    from (
        select {{ dbt.concat([
            "'account:'", 'platform', "':'", 'account_key', "':'", "coalesce(account_id, '')", "':'", 'brand_id'
        ]) }} as entry
        from {{ ref('int_owned_accounts_resolved') }}
        union all
        select {{ dbt.concat([
            "'employee:'", 'platform', "':'", "coalesce(person_id, '')", "':'", 'brand_id'
        ]) }} as entry
        from {{ ref('int_employees_resolved') }}
    ) as entries
{%- endmacro %}

{#- md5 of the values of `expression` over the group, sorted and joined: the same digest whatever the row order. -#}
{% macro sorted_digest(expression) -%}
    {{ return(adapter.dispatch('sorted_digest')(expression)) }}
{%- endmacro %}

{% macro default__sorted_digest(expression) -%}
    md5(coalesce(string_agg({{ expression }}, '|' order by {{ expression }}), ''))
{%- endmacro %}

{% macro spark__sorted_digest(expression) -%}
    md5(coalesce(array_join(array_sort(collect_list({{ expression }})), '|'), ''))
{%- endmacro %}
