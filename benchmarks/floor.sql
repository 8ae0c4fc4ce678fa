-- The floor: one hand-written DuckDB script computing fct_work_items, fct_flow_daily and
-- fct_flow_metrics straight from the raw tables (and the mapping seeds in schema mappings), with no
-- dbt, no layering and no portability; benchmarks/bench_marts.py times it against `dbt build` and checks
-- that its fct_work_items equals dbt's. Durations count whole seconds (date_diff), as dbt.datediff does.
-- Parameter: the as_of instant is substituted for {{AS_OF}} by the benchmark script.
create schema if not exists floor;
set variable as_of = timestamp '{{AS_OF}}';

create or replace temp table f_items as
with jira as (
    select 'jira:' || instance || ':' || issue_key as work_item_id, 'jira' as source, instance, issue_id,
        issue_key as item_key, summary as title, issue_type as tracker_item_type, project_key, null::varchar as area_path,
        try_cast(changelog_total as integer) as history_expected_count, try_cast(embedded_history_count as integer) as embedded_history_count,
        nullif('|' || array_to_string(from_json(components::json, '["VARCHAR"]'), '|') || '|', '||') as components,
        nullif('|' || array_to_string(from_json(labels::json, '["VARCHAR"]'), '|') || '|', '||') as labels,
        status_name as current_status, lower(status_category_key) as status_category, resolution,
        make_timestamp(epoch_us(try_cast(created as timestamptz))) as created_at
    from raw.jira_issues
    qualify row_number() over (partition by instance, issue_id
        order by make_timestamp(epoch_us(try_cast(updated as timestamptz))) desc nulls last, _landed_at desc, _source_file desc) = 1
), csv as (
    select lower(trim(source)) || ':' || trim(instance) || ':' || trim(item_key), lower(trim(source)), trim(instance), null,
        trim(item_key), trim(title), trim(item_type), trim(project), nullif(trim(area_path), ''), null::integer, null::integer,
        nullif('|' || replace(trim(components), ';', '|') || '|', '||'), nullif('|' || replace(trim(labels), ';', '|') || '|', '||'),
        trim(status), lower(nullif(trim(status_category), '')), nullif(trim(resolution), ''),
        make_timestamp(epoch_us(try_cast(created_at as timestamptz)))
    from raw.csv_work_items
    qualify row_number() over (partition by source, instance, item_key
        order by make_timestamp(epoch_us(try_cast(updated_at as timestamptz))) desc nulls last, _landed_at desc) = 1
)
select * from jira union all select * from csv;

-- history completeness: distinct changelog histories landed per Jira issue (any field, every copy),
-- counted only for issues whose snapshot embedded a truncated changelog (the others are complete)
create or replace temp table f_histories as
with ids as (select distinct instance, issue_id, issue_key from raw.jira_issues)
select i.work_item_id, count(distinct c.history_id) as history_landed_count
from raw.jira_changelog_items c
left join ids on c.issue_id is null and ids.instance = c.instance and ids.issue_key = c.issue_key
join f_items i on i.source = 'jira' and i.instance = c.instance and i.issue_id = coalesce(c.issue_id, ids.issue_id)
    and i.history_expected_count > i.embedded_history_count
group by i.work_item_id;

-- business-day clock: business days before each day since the first creation (Mon-Fri minus holidays)
create or replace temp table f_days as
select d::date as date_day, isodow(d) <= 5 and h.holiday_date is null as is_business_day,
    coalesce(sum(case when isodow(d) <= 5 and h.holiday_date is null then 1 else 0 end)
        over (order by d rows between unbounded preceding and 1 preceding), 0) as business_days_before
from range((select min(created_at)::date from f_items), getvariable('as_of')::date + 1, interval 1 day) as t(d)
left join mappings.holidays h on h.holiday_date = d::date;

create or replace temp table f_changes as
with ids as (select distinct instance, issue_id, issue_key from raw.jira_issues),
jira as (
    select 'jira:' || c.instance || ':' || coalesce(c.issue_key, ids.issue_key) as work_item_id, c.history_id as change_id,
        make_timestamp(epoch_us(try_cast(c.history_created as timestamptz))) as changed_at, c.from_string as from_status, c.to_string as to_status
    from raw.jira_changelog_items c
    left join ids on c.instance = ids.instance and c.issue_id = ids.issue_id
    where c.field = 'status'
    qualify row_number() over (partition by c.instance, c.issue_id, c.history_id order by c._landed_at desc) = 1
), csv as (
    select lower(trim(source)) || ':' || trim(instance) || ':' || trim(item_key), trim(change_id),
        make_timestamp(epoch_us(try_cast(changed_at as timestamptz))), nullif(trim(from_status), ''), trim(to_status)
    from raw.csv_status_changes
    qualify row_number() over (partition by source, instance, item_key, change_id order by _landed_at desc) = 1
)
select ch.*, row_number() over (partition by ch.work_item_id order by ch.changed_at, try_cast(ch.change_id as bigint), ch.change_id) as seq
from (select * from jira union all select * from csv) ch
join f_items i using (work_item_id)
where ch.changed_at >= i.created_at and ch.to_status is not null;

create or replace temp table f_mapped_items as
select i.*,
    coalesce((select r.value_stream_id from mappings.stream_assignment_rules r
        where (r.source = '*' or r.source = i.source) and (r.instance = '*' or r.instance = i.instance)
          and ((r.match_field = 'project' and ((r.match_type = 'exact' and i.project_key = r.match_value) or (r.match_type = 'pattern' and i.project_key like r.match_value)))
            or (r.match_field = 'area_path' and ((r.match_type = 'exact' and i.area_path = r.match_value) or (r.match_type = 'pattern' and i.area_path like r.match_value)))
            or (r.match_field = 'component' and i.components like '%|' || r.match_value || '|%')
            or (r.match_field = 'label' and i.labels like '%|' || r.match_value || '|%'))
        order by r.priority limit 1), 'unassigned') as value_stream_id,
    -- the seed's 'exclude' (epics, sub-tasks): in fct_work_items as 'excluded', in no flow metric
    coalesce((select case lower(trim(t.flow_item_type)) when 'exclude' then 'excluded' else lower(trim(t.flow_item_type)) end
        from mappings.flow_item_types t
        where lower(trim(t.tracker_item_type)) = lower(trim(i.tracker_item_type)) and (t.source = '*' or t.source = i.source)
          and (nullif(trim(t.label), '') is null or lower(i.labels) like '%|' || lower(trim(t.label)) || '|%')
        order by nullif(trim(t.label), '') is null, t.source = '*', t.flow_item_type limit 1), 'unmapped') as flow_item_type,
    exists (select 1 from mappings.canceled_resolutions c where (c.source = '*' or c.source = i.source)
        and lower(trim(c.resolution)) = lower(trim(i.resolution))) as is_cancel_resolution
from f_items i
where i.created_at <= getvariable('as_of');

create or replace temp table f_intervals as
with raw_intervals as (
    select i.work_item_id, 0 as idx, coalesce(c.from_status, i.current_status, '(none)') as status, i.created_at as entered_at
    from f_mapped_items i left join f_changes c on c.work_item_id = i.work_item_id and c.seq = 1
    union all
    select c.work_item_id, c.seq, c.to_status, c.changed_at from f_changes c semi join f_mapped_items i using (work_item_id)
), categories as (
    select source, lower(trim(current_status)) as status_key, any_value(status_category) as status_category
    from f_items where status_category is not null group by all
), states as (
    select r.*, i.value_stream_id, i.flow_item_type, i.is_cancel_resolution,
        lead(r.entered_at) over (partition by r.work_item_id order by r.idx) as exited_at,
        coalesce(ms.flow_state, ma.flow_state,
            case cat.status_category when 'new' then 'new' when 'done' then 'done' else 'active' end) as state
    from raw_intervals r
    join f_mapped_items i using (work_item_id)
    left join mappings.status_mappings ms on lower(trim(ms.status)) = lower(trim(r.status)) and ms.source in (i.source, '*') and ms.value_stream_id = i.value_stream_id
    left join mappings.status_mappings ma on lower(trim(ma.status)) = lower(trim(r.status)) and ma.source in (i.source, '*') and nullif(trim(ma.value_stream_id), '') is null
    left join categories cat on cat.source = i.source and cat.status_key = lower(trim(r.status))
), resolved as (
    select *, case when state = 'done' and is_cancel_resolution
        and idx > coalesce(max(case when state <> 'done' then idx end) over (partition by work_item_id), -1) then 'canceled' else state end as flow_state
    from states
)
select work_item_id, value_stream_id, flow_item_type, idx, flow_state, entered_at,
    case when exited_at <= getvariable('as_of') then exited_at end as exited_at,
    lag(flow_state) over (partition by work_item_id order by idx) as previous_flow_state
from resolved where entered_at <= getvariable('as_of');

create or replace table floor.fct_work_items as
with lc as (
    select work_item_id, any_value(value_stream_id) as value_stream_id, any_value(flow_item_type) as flow_item_type,
        arg_max(flow_state, idx) as current_flow_state,
        min(entered_at) filter (where flow_state in ('active', 'waiting')) as started_at,
        max(entered_at) filter (where flow_state = 'done' and coalesce(previous_flow_state, '') <> 'done') as done_at,
        max(entered_at) filter (where flow_state = 'canceled' and coalesce(previous_flow_state, '') <> 'canceled') as canceled_at,
        count(*) filter (where previous_flow_state in ('done', 'canceled') and flow_state in ('new', 'active', 'waiting')) as reopen_count,
        sum(date_diff('second', entered_at, coalesce(exited_at, getvariable('as_of')))) filter (where flow_state = 'active') / 86400 as active_days,
        sum((xd.business_days_before + case when xd.is_business_day then date_diff('second', date_trunc('day', coalesce(exited_at, getvariable('as_of'))), coalesce(exited_at, getvariable('as_of'))) / 86400 else 0 end)
            - (ed.business_days_before + case when ed.is_business_day then date_diff('second', date_trunc('day', entered_at), entered_at) / 86400 else 0 end))
            filter (where flow_state = 'active') as active_business_days
    from f_intervals
    left join f_days ed on ed.date_day = entered_at::date
    left join f_days xd on xd.date_day = coalesce(exited_at, getvariable('as_of'))::date
    group by work_item_id
), items as (
    select lc.*, i.source, i.instance, i.item_key, i.title, i.tracker_item_type, i.created_at,
        coalesce(greatest(coalesce(h.history_landed_count, 0), coalesce(i.embedded_history_count, 0)) >= i.history_expected_count, true) as is_history_complete,
        case when current_flow_state = 'done' then done_at end as finished_at,
        case when current_flow_state = 'canceled' then canceled_at end as canceled_at_final,
        case when started_at is not null and current_flow_state <> 'canceled'
            then case when current_flow_state = 'done' then done_at else getvariable('as_of') end end as window_end_at
    from lc join f_mapped_items i using (work_item_id) left join f_histories h using (work_item_id)
), clocked as (
    select items.*, date_diff('second', started_at, window_end_at) / 86400 as window_days,
        (wd.business_days_before + case when wd.is_business_day then date_diff('second', date_trunc('day', window_end_at), window_end_at) / 86400 else 0 end)
        - (sd.business_days_before + case when sd.is_business_day then date_diff('second', date_trunc('day', started_at), started_at) / 86400 else 0 end) as window_business_days
    from items left join f_days sd on sd.date_day = started_at::date left join f_days wd on wd.date_day = window_end_at::date
)
select work_item_id, source, instance, item_key, title, value_stream_id, flow_item_type, tracker_item_type,
    current_flow_state, created_at, started_at, finished_at, canceled_at_final as canceled_at,
    case when finished_at is not null then date_diff('second', started_at, finished_at) / 86400 end as flow_time_days,
    case when window_end_at is not null then coalesce(active_days, 0) end as active_days,
    window_days - coalesce(active_days, 0) as waiting_days,
    case when finished_at is not null then window_business_days end as flow_time_business_days,
    case when window_end_at is not null then coalesce(active_business_days, 0) end as active_business_days,
    window_business_days - coalesce(active_business_days, 0) as waiting_business_days,
    case when finished_at is not null and window_days > 0 then coalesce(active_days, 0) / window_days end as flow_efficiency,
    reopen_count,
    case when current_flow_state in ('active', 'waiting') then date_diff('second', started_at, getvariable('as_of')) / 86400 end as age_days,
    current_flow_state in ('active', 'waiting') as is_wip, is_history_complete
from clocked;

create or replace table floor.fct_flow_daily as
with flow_intervals as (select * from f_intervals where flow_item_type <> 'excluded'),
flow_items as (select * from floor.fct_work_items where flow_item_type <> 'excluded'),
bounds as (select min(entered_at)::date as d0 from flow_intervals),
days as (select range::date as date_day from range((select d0 from bounds), getvariable('as_of')::date + 1, interval 1 day)),
deltas as (
    select value_stream_id, flow_item_type, entered_at::date as date_day, flow_state, 1 as delta from flow_intervals
    where flow_state in ('active', 'waiting') and (exited_at is null or exited_at::date > entered_at::date)
    union all
    select value_stream_id, flow_item_type, exited_at::date, flow_state, -1 from flow_intervals
    where flow_state in ('active', 'waiting') and exited_at::date > entered_at::date
),
daily as (select value_stream_id, flow_item_type, date_day,
    sum(delta) filter (where flow_state = 'active') as a, sum(delta) filter (where flow_state = 'waiting') as w from deltas group by all),
events as (select value_stream_id, flow_item_type, date_day, sum(s) as arrivals, sum(f) as departures, sum(x) as canceled,
    sum(n) as created from (
    select value_stream_id, flow_item_type, started_at::date as date_day, 1 as s, 0 as f, 0 as x, 0 as n from flow_items where started_at is not null
    union all select value_stream_id, flow_item_type, finished_at::date, 0, 1, 0, 0 from flow_items where finished_at is not null
    union all select value_stream_id, flow_item_type, canceled_at::date, 0, 0, 1, 0 from flow_items where canceled_at is not null
    union all select value_stream_id, flow_item_type, created_at::date, 0, 0, 0, 1 from flow_items) group by all),
combos as (select distinct value_stream_id, flow_item_type from flow_items)
select c.value_stream_id, d.date_day, c.flow_item_type,
    sum(coalesce(daily.a, 0) + coalesce(daily.w, 0)) over w as flow_load,
    sum(coalesce(daily.a, 0)) over w as active_count, sum(coalesce(daily.w, 0)) over w as waiting_count,
    coalesce(e.arrivals, 0) as arrivals, coalesce(e.departures, 0) as departures, coalesce(e.canceled, 0) as canceled,
    coalesce(e.created, 0) as created
from combos c cross join days d
left join daily using (value_stream_id, flow_item_type, date_day)
left join events e using (value_stream_id, flow_item_type, date_day)
window w as (partition by c.value_stream_id, c.flow_item_type order by d.date_day);

create or replace table floor.fct_flow_metrics as
with grains as (select unnest(['week', 'month', 'quarter', 'half_year']) as grain),
finished as (
    select g.grain, case g.grain when 'week' then date_trunc('week', finished_at) when 'month' then date_trunc('month', finished_at)
        when 'quarter' then date_trunc('quarter', finished_at) else date_trunc('month', finished_at) - to_months((month(finished_at) - 1) % 6) end::date as period_start,
        value_stream_id, flow_item_type, flow_time_days, active_days
    from floor.fct_work_items, grains g where finished_at is not null and flow_item_type <> 'excluded'
),
flow as (
    select grain, period_start, coalesce(value_stream_id, 'all') as value_stream_id, coalesce(flow_item_type, 'all') as flow_item_type,
        count(*) as flow_velocity, quantile_cont(flow_time_days, 0.5) as p50, quantile_cont(flow_time_days, 0.85) as p85,
        quantile_cont(flow_time_days, 0.95) as p95, avg(flow_time_days) as mean_days,
        sum(active_days) filter (where flow_time_days > 0) / sum(flow_time_days) filter (where flow_time_days > 0) as flow_efficiency
    from finished group by grouping sets ((grain, period_start, value_stream_id, flow_item_type), (grain, period_start, value_stream_id),
        (grain, period_start, flow_item_type), (grain, period_start))
),
load as (
    select grain, period_start, coalesce(value_stream_id, 'all') as value_stream_id, coalesce(flow_item_type, 'all') as flow_item_type,
        sum(flow_load) / count(distinct date_day) as flow_load_avg,
        sum(flow_load) filter (where is_end) as flow_load_end, sum(canceled) as items_canceled
    from (
        select *, date_day = max(date_day) over (partition by grain, period_start) as is_end from (
        select g.grain, d.*, case g.grain when 'week' then date_trunc('week', date_day) when 'month' then date_trunc('month', date_day)
            when 'quarter' then date_trunc('quarter', date_day) else date_trunc('month', date_day) - to_months((month(date_day) - 1) % 6) end::date as period_start
        from floor.fct_flow_daily d, grains g
    ) x0
    ) x
    group by grouping sets ((grain, period_start, value_stream_id, flow_item_type), (grain, period_start, value_stream_id),
        (grain, period_start, flow_item_type), (grain, period_start))
)
select l.*, coalesce(f.flow_velocity, 0) as flow_velocity, f.p50, f.p85, f.p95, f.mean_days, f.flow_efficiency,
    100.0 * f.flow_velocity / sum(f.flow_velocity) filter (where l.flow_item_type <> 'all') over (partition by l.grain, l.period_start, l.value_stream_id) as flow_distribution_pct
from load l left join flow f using (grain, period_start, value_stream_id, flow_item_type);
