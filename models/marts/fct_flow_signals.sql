{#-
    Signal or noise: XmR process behaviour charts (Wheeler) of each value stream's weekly flow velocity and
    weekly median flow time. One row per value stream (plus 'all') x metric x ISO week, from the week of the
    stream's first work item to as_of.

    Each week is judged against the natural process limits of its half-year (the half its Monday falls in),
    computed from a baseline: the 26 weeks before the half's first week (complete weeks that have a value).
      center_line                  = mean of the baseline values
      average_moving_range         = mean of |value - previous value| over successive baseline values
      upper_natural_process_limit  = center_line + 2.66 x average_moving_range
      lower_natural_process_limit  = center_line - 2.66 x average_moving_range, not below 0
    A baseline of fewer than 12 values gives no limits (null) and no signals.

    signal, for a complete week of the half with a value (successive values within the same half):
      beyond_limit              the value is above the upper or below the lower limit;
      three_of_four_near_limit  the value is one of at least 3 of 4 successive values closer to the same
                                limit than to the centre line (beyond centre +/- 1.33 x average_moving_range);
      run_of_8                  the value is one of at least 8 successive values on the same side of the
                                centre line (a value on the line breaks the run);
    in that order of precedence; null for none. A week with no finished item has velocity 0 and no median
    flow time (null: not a value of that chart).
-#}
-- sqlfluff:exclude_rules:LT05,ST06,AM04,RF04,ST05
with

weekly as (
    select
        value_stream_id,
        period_start as week_start,
        period_end as week_end,
        days_observed,
        flow_velocity,
        flow_time_p50_days
    from {{ ref('fct_flow_metrics') }}
    where period_grain = 'week' and flow_item_type = 'all'
),

flow_items as (
    select *
    from {{ ref('fct_work_items') }}
    where is_flow_item
),

-- a stream's chart begins with the week of its first item: the weeks before it hold no value, not zeros
stream_starts as (
    select
        value_stream_id,
        min(created_date) as first_created_date
    from flow_items
    group by value_stream_id
    union all
    select
        'all' as value_stream_id,
        min(created_date) as first_created_date
    from flow_items
),

weeks as (
    select
        weekly.value_stream_id,
        weekly.week_start,
        weekly.week_end,
        weekly.days_observed = 7 as is_complete_week,
        {{ flowmart.period_start('half_year', 'weekly.week_start') }} as half_year_start,
        weekly.flow_velocity,
        weekly.flow_time_p50_days
    from weekly
    inner join stream_starts
        on weekly.value_stream_id = stream_starts.value_stream_id
    where weekly.week_start >= {{ flowmart.period_start('week', 'stream_starts.first_created_date') }}
),

observations as (
    select
        value_stream_id,
        'flow_velocity' as metric,
        week_start,
        week_end,
        is_complete_week,
        half_year_start,
        cast(flow_velocity as {{ flowmart.type_double() }}) as value
    from weeks
    union all
    select
        value_stream_id,
        'flow_time_p50_days' as metric,
        week_start,
        week_end,
        is_complete_week,
        half_year_start,
        cast(flow_time_p50_days as {{ flowmart.type_double() }}) as value
    from weeks
),

-- each half-year's first week (the first Monday on or after its first day) and its baseline's first week
halves as (
    select
        half_year_start,
        first_week_start,
        cast({{ dbt.dateadd('day', -26 * 7, 'first_week_start') }} as date) as baseline_start
    from (
        select distinct
            half_year_start,
            {{ flowmart.period_start('week', dbt.dateadd('day', 6, 'half_year_start')) }} as first_week_start
        from observations
    ) as half_starts
),

baseline_values as (
    select
        halves.half_year_start,
        observations.value_stream_id,
        observations.metric,
        observations.week_start,
        observations.value
    from observations
    inner join halves
        on observations.week_start >= halves.baseline_start
        and observations.week_start < halves.first_week_start
    where observations.value is not null and observations.is_complete_week
),

baseline_ranges as (
    select
        half_year_start,
        value_stream_id,
        metric,
        value,
        abs(
            value - lag(value) over (partition by half_year_start, value_stream_id, metric order by week_start)
        ) as moving_range
    from baseline_values
),

baselines as (
    select
        half_year_start,
        value_stream_id,
        metric,
        count(*) as baseline_weeks,
        avg(value) as center_line,
        avg(moving_range) as average_moving_range
    from baseline_ranges
    group by half_year_start, value_stream_id, metric
),

-- fewer than 12 baseline values: no limits
limits as (
    select
        half_year_start,
        value_stream_id,
        metric,
        baseline_weeks,
        case when baseline_weeks >= 12 then center_line end as center_line,
        case when baseline_weeks >= 12 then average_moving_range end as average_moving_range
    from baselines
),

limit_lines as (
    select
        *,
        center_line + 2.66 * average_moving_range as upper_natural_process_limit,
        case
            when center_line - 2.66 * average_moving_range > 0 then center_line - 2.66 * average_moving_range
            when center_line is not null then 0
        end as lower_natural_process_limit,
        -- closer to a limit than to the centre line: beyond halfway to it (to the unclamped lower limit,
        -- so that a stream whose lower limit is clamped to 0 cannot signal by being low)
        center_line + 1.33 * average_moving_range as upper_near_limit_from,
        center_line - 1.33 * average_moving_range as lower_near_limit_from
    from limits
),

charted as (
    select
        observations.value_stream_id,
        observations.metric,
        observations.week_start,
        observations.week_end,
        observations.half_year_start,
        observations.is_complete_week,
        observations.value,
        limit_lines.baseline_weeks,
        limit_lines.center_line,
        limit_lines.average_moving_range,
        limit_lines.upper_natural_process_limit,
        limit_lines.lower_natural_process_limit,
        limit_lines.upper_near_limit_from,
        limit_lines.lower_near_limit_from
    from observations
    left join limit_lines
        on observations.half_year_start = limit_lines.half_year_start
        and observations.value_stream_id = limit_lines.value_stream_id
        and observations.metric = limit_lines.metric
),

-- the values the detection rules read: complete weeks with a value and limits, in order within the half
judged as (
    select
        value_stream_id,
        metric,
        week_start,
        half_year_start,
        case
            when value > upper_natural_process_limit or value < lower_natural_process_limit then 1 else 0
        end as is_beyond_limit,
        case when value > center_line then 1 when value < center_line then -1 else 0 end as side,
        case when value > upper_near_limit_from then 1 else 0 end as is_near_upper,
        case when value < lower_near_limit_from then 1 else 0 end as is_near_lower
    from charted
    where value is not null and center_line is not null and is_complete_week
),

windows as (
    select
        *,
        count(*) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between 7 preceding and current row
        ) as values_in_8,
        sum(side) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between 7 preceding and current row
        ) as side_sum_in_8,
        sum(is_near_upper) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between 3 preceding and current row
        ) as near_upper_in_4,
        sum(is_near_lower) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between 3 preceding and current row
        ) as near_lower_in_4
    from judged
),

-- where a rule fires: the last value of 8 on one side, of 4 with 3 near the same limit
fired as (
    select
        *,
        case when values_in_8 = 8 and abs(side_sum_in_8) = 8 then 1 else 0 end as ends_run_of_8,
        case when near_upper_in_4 >= 3 then 1 else 0 end as ends_three_near_upper,
        case when near_lower_in_4 >= 3 then 1 else 0 end as ends_three_near_lower
    from windows
),

-- every value taking part: one whose window (ending here or up to 7 / 3 values later) fired
members as (
    select
        value_stream_id,
        metric,
        week_start,
        is_beyond_limit,
        is_near_upper,
        is_near_lower,
        max(ends_run_of_8) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between current row and 7 following
        ) as in_run_of_8,
        max(ends_three_near_upper) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between current row and 3 following
        ) as in_three_near_upper,
        max(ends_three_near_lower) over (
            partition by value_stream_id, metric, half_year_start order by week_start
            rows between current row and 3 following
        ) as in_three_near_lower
    from fired
),

final as (
    select
        charted.value_stream_id,
        charted.metric,
        charted.week_start,
        charted.week_end,
        charted.half_year_start,
        charted.is_complete_week,
        charted.value,
        charted.center_line,
        charted.average_moving_range,
        charted.upper_natural_process_limit,
        charted.lower_natural_process_limit,
        cast(coalesce(charted.baseline_weeks, 0) as integer) as baseline_weeks,
        case
            when members.is_beyond_limit = 1 then 'beyond_limit'
            when
                (members.is_near_upper = 1 and members.in_three_near_upper = 1)
                or (members.is_near_lower = 1 and members.in_three_near_lower = 1)
                then 'three_of_four_near_limit'
            when members.in_run_of_8 = 1 then 'run_of_8'
        end as signal
    from charted
    left join members
        on charted.value_stream_id = members.value_stream_id
        and charted.metric = members.metric
        and charted.week_start = members.week_start
)

select * from final
