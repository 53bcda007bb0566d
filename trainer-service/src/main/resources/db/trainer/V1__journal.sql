-- The trainer's own tables (DESIGN.md §4): what it needs to redo any step, and what it produced.

-- Sessions as created: the config decides the model, LoRA shape, seed and step settings.
CREATE TABLE trainer.sessions (
    session_id  uuid PRIMARY KEY,
    created     text NOT NULL  -- the SessionCreated event, EventSerde JSON
);

-- Rollouts as stored by the session-service: a step trains on exactly what the person was shown.
CREATE TABLE trainer.rollouts (
    rollouts_ready_id uuid PRIMARY KEY,
    session_id        uuid NOT NULL,
    event             text NOT NULL
);

-- The journal: one row per applied step, keyed by the choice it answers, so a redelivered choice is recognised.
CREATE TABLE trainer.steps (
    choice_made_id  uuid PRIMARY KEY,
    session_id      uuid NOT NULL,
    node_id         uuid NOT NULL,
    policy_version  bigint NOT NULL,
    parent_version  bigint NOT NULL,
    step_case       text NOT NULL,   -- StepCase JSON: prompt ids, completion ids, choice
    settings        text NOT NULL,   -- StepSettings JSON
    step_applied    text NOT NULL,   -- the StepApplied event, re-sent as is on redelivery
    UNIQUE (session_id, policy_version),
    UNIQUE (session_id, node_id)
);

-- What each step produced: the PEFT adapter (zip) for every version, and a full checkpoint (adapter + AdamW
-- state, zip) every K steps of a path.
CREATE TABLE trainer.policies (
    session_id      uuid NOT NULL,
    policy_version  bigint NOT NULL,
    sha256          text NOT NULL,
    adapter         bytea NOT NULL,
    checkpoint      bytea,
    PRIMARY KEY (session_id, policy_version)
);
