{#-
    Question: is work piling up? Cumulative flow (arrivals vs departures) and daily load per stream,
    the last 90 days up to as_of - the data behind a cumulative flow diagram.

    The gap between cumulative_arrivals and cumulative_departures on a day is the work started and not yet
    finished in the window; a widening gap means WIP grows. fct_flow_daily has every day, with zeros,
    so the lines have no holes.
-#}
with

flow_daily as (select * from {{ ref('fct_flow_daily') }}),

value_streams as (select * from {{ ref('dim_value_streams') }}),

window_days as (
    select
        max(date_day) as last_day,
        {{ dbt.dateadd('day', -89, 'max(date_day)') }} as first_day
    from flow_daily
),

per_stream_day as (
    select
        flow_daily.value_stream_id,
        flow_daily.date_day,
        sum(flow_daily.arrivals) as arrivals,
        sum(flow_daily.departures) as departures,
        sum(flow_daily.active_count) as active_count,
        sum(flow_daily.waiting_count) as waiting_count,
        sum(flow_daily.flow_load) as flow_load
    from flow_daily
    cross join window_days
    where flow_daily.date_day between window_days.first_day and window_days.last_day
    group by flow_daily.value_stream_id, flow_daily.date_day
),

final as (
    select
        coalesce(value_streams.name, per_stream_day.value_stream_id) as value_stream,
        per_stream_day.date_day,
        per_stream_day.arrivals,
        per_stream_day.departures,
        sum(per_stream_day.arrivals) over (
            partition by per_stream_day.value_stream_id order by per_stream_day.date_day
            rows between unbounded preceding and current row
        ) as cumulative_arrivals,
        sum(per_stream_day.departures) over (
            partition by per_stream_day.value_stream_id order by per_stream_day.date_day
            rows between unbounded preceding and current row
        ) as cumulative_departures,
        per_stream_day.active_count,
        per_stream_day.waiting_count,
        per_stream_day.flow_load
    from per_stream_day
    left join value_streams
        on per_stream_day.value_stream_id = value_streams.value_stream_id
)

select * from final
order by value_stream, date_day
