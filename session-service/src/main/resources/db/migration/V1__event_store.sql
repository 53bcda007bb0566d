-- The event store of the session-service (DESIGN.md §4). Append-only: nothing is updated or deleted, undo is an event.
create table session_events (
    global_position  bigserial    primary key,
    session_id       uuid         not null,
    session_position bigint       not null,
    event_id         uuid         not null,
    event_type       text         not null,
    schema_version   int          not null,
    payload          jsonb        not null,
    occurred_at      timestamptz  not null,
    recorded_at      timestamptz  not null default clock_timestamp(),
    -- Optimistic concurrency backstop: two writers that read the same version cannot both append after it.
    constraint session_events_stream_position unique (session_id, session_position),
    -- Idempotent appends: an event delivered twice is stored once.
    constraint session_events_event_id unique (event_id),
    constraint session_events_position_positive check (session_position > 0)
);

create function session_events_are_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'session_events is append-only: % is not allowed', tg_op;
end;
$$;

create trigger session_events_append_only
    before update or delete on session_events
    for each row execute function session_events_are_append_only();

create trigger session_events_no_truncate
    before truncate on session_events
    for each statement execute function session_events_are_append_only();

-- Transactional outbox: a row per appended event, written in the same transaction, deleted once Kafka acknowledged it.
create table outbox (
    global_position bigint primary key references session_events (global_position)
);
