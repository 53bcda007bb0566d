package dev.espalier.session.domain;

/** Where the game loop of a session stands (DESIGN.md §1). */
public enum SessionPhase {
    /** A prompt is issued; the rollout-service is writing answers. */
    AWAITING_ROLLOUTS,
    /** The answers are there; the person picks one, none, skips or edits. */
    AWAITING_CHOICE,
    /** A choice is made; the trainer is applying the step. */
    AWAITING_STEP,
    /**
     * HEAD moved to a node with nothing to reopen and no prompt left on its path; the trainer's PolicyRestored makes
     * it OUT_OF_PROMPTS (logs stored before prompts were reopened waited here after every move).
     */
    AWAITING_POLICY,
    /** The rollout-service could not answer the open prompt; retry, skip, edit or undo. */
    ROLLOUTS_FAILED,
    /** The trainer could not apply the step of the pending choice; retry, skip, edit or undo (takes the pick back). */
    STEP_FAILED,
    /** No prompt is open: the prompt source is used up. An edit can still play a typed prompt. */
    OUT_OF_PROMPTS
}
