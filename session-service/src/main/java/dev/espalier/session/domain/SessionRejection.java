package dev.espalier.session.domain;

/** Why a command was refused; each kind maps to one HTTP status. Nothing is stored when a command is refused. */
public class SessionRejection extends RuntimeException {

    public SessionRejection(String message) {
        super(message);
    }

    /** No session with that id. */
    public static final class NotFound extends SessionRejection {
        public NotFound(String message) {
            super(message);
        }
    }

    /** The command does not fit the session's state right now (e.g. choosing before the rollouts are ready). */
    public static final class Conflict extends SessionRejection {
        public Conflict(String message) {
            super(message);
        }
    }

    /** Another command changed the session since the version this command was decided against. */
    public static final class VersionConflict extends SessionRejection {
        public VersionConflict(String message) {
            super(message);
        }
    }

    /** An argument is wrong whatever the state (e.g. a choice index out of range); names the argument. */
    public static final class InvalidArgument extends SessionRejection {
        private final String argument;

        public InvalidArgument(String argument, String message) {
            super(argument + " " + message);
            this.argument = argument;
        }

        public String argument() {
            return argument;
        }
    }
}
