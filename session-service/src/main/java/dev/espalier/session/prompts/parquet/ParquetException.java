package dev.espalier.session.prompts.parquet;

/** A Parquet file this reader cannot read, with the file (and column) named in the message. */
public final class ParquetException extends RuntimeException {

    ParquetException(String message) {
        super(message);
    }

    ParquetException(String message, Throwable cause) {
        super(message, cause);
    }
}
