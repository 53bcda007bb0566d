-- Steps started and not (yet) journaled: how often each was started, and the choice, for a retry. A step that ends
-- the process (an out-of-memory kill) is delivered again after the restart; the count stops it being started forever.
-- A row goes when its step is journaled; a failed step's row stays until the person retries it.
CREATE TABLE trainer.step_attempts (
    choice_made_id uuid PRIMARY KEY,
    session_id     uuid NOT NULL,
    choice         text NOT NULL,  -- the ChoiceMade event, EventSerde JSON
    starts         int NOT NULL
);
