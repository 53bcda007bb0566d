package dev.espalier.session.api;

/**
 * The body of every error response.
 *
 * @param argument the request field at fault, when one is
 */
public record ApiError(int status, String error, String argument) {
}
