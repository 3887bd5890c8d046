with

source as (

    select * from {{ source('ingest', 'quarantine') }}

),

final as (

    select
        _batch_id as batch_id,
        source_file,
        locator,
        detected_format,
        reason,
        raw_record,
        {{ to_utc_timestamp('_ingested_at') }} as ingested_at_utc
    from source

)

select * from final
