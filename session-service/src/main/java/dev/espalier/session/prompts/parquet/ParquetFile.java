package dev.espalier.session.prompts.parquet;

import dev.espalier.session.prompts.parquet.CompactThrift.Struct;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The text columns of a Parquet file, as Hugging Face datasets publish them: top-level UTF-8 string columns, required
 * or optional, PLAIN or dictionary encoded, data pages v1 or v2, uncompressed, Snappy, gzip or zstd. Nested columns
 * are listed but not read. Only the column asked for is read, row group by row group.
 * Format: https://github.com/apache/parquet-format
 */
public final class ParquetFile {

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final int BYTE_ARRAY = 6;
    private static final int REQUIRED = 0;
    private static final int OPTIONAL = 1;
    private static final int UTF8 = 0;
    private static final int DATA_PAGE = 0;
    private static final int DICTIONARY_PAGE = 2;
    private static final int DATA_PAGE_V2 = 3;
    private static final int PLAIN = 0;
    private static final int PLAIN_DICTIONARY = 2;
    private static final int RLE = 3;
    private static final int RLE_DICTIONARY = 8;

    /** A top-level field; {@code text} when it is a UTF-8 string column this reader can read. */
    private record Field(String name, boolean text, boolean optional) {
    }

    private final Path file;
    private final List<Field> fields;
    private final List<Struct> rowGroups;

    private ParquetFile(Path file, List<Field> fields, List<Struct> rowGroups) {
        this.file = file;
        this.fields = fields;
        this.rowGroups = rowGroups;
    }

    /** Reads and checks the footer. */
    public static ParquetFile open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 12) {
                throw new ParquetException(file + " is not a Parquet file (" + size + " bytes)");
            }
            ByteBuffer tail = read(channel, size - 8, 8);
            int footerLength = tail.getInt();
            if (!startsWithMagic(tail) || footerLength <= 0 || footerLength > size - 12) {
                throw new ParquetException(file + " is not a Parquet file (no PAR1 footer), or it is truncated");
            }
            Struct footer = new CompactThrift(read(channel, size - 8 - footerLength, footerLength)).struct();
            return new ParquetFile(file, topLevelFields(footer.list(2)), footer.list(4));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ParquetException p) {
                throw p;
            }
            throw new ParquetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every top-level field, in schema order. */
    public List<String> columns() {
        return fields.stream().map(Field::name).toList();
    }

    /** The top-level UTF-8 string columns, in schema order. */
    public List<String> textColumns() {
        return fields.stream().filter(Field::text).map(Field::name).toList();
    }

    /** The values of a text column, one per row in file order, null where the row has none. */
    public List<String> strings(String column) {
        Field field = fields.stream().filter(f -> f.name().equals(column)).findFirst().orElseThrow(
                () -> new ParquetException(file + " has no column \"" + column + "\"; it has " + columns()));
        if (!field.text()) {
            throw new ParquetException(file + ": column \"" + column + "\" is not a top-level text column (the text "
                    + "columns are " + textColumns() + ")");
        }
        List<String> values = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Struct rowGroup : rowGroups) {
                Struct meta = chunkOf(rowGroup, column).struct(3);
                readChunk(channel, meta, field, values);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ParquetException p) {
                throw p;
            }
            throw new ParquetException("cannot read column \"" + column + "\" of " + file + ": " + e.getMessage(), e);
        }
        return values;
    }

    private void readChunk(FileChannel channel, Struct meta, Field field, List<String> out) throws IOException {
        PageCodec codec = PageCodec.of(meta.integer(4));
        if (codec == null) {
            throw new ParquetException(file + ": column \"" + field.name() + "\" is compressed with "
                    + PageCodec.name(meta.integer(4)) + "; this reader knows Snappy, gzip and zstd");
        }
        long dataOffset = meta.integer(9);
        long dictionaryOffset = meta.integer(11, 0);
        long start = dictionaryOffset > 0 ? Math.min(dictionaryOffset, dataOffset) : dataOffset;
        ByteBuffer chunk = read(channel, start, Math.toIntExact(meta.integer(7)));
        long values = meta.integer(5);
        String[] dictionary = null;
        for (long seen = 0; seen < values; ) {
            Struct header = new CompactThrift(chunk).struct();
            byte[] body = new byte[Math.toIntExact(header.integer(3))];
            chunk.get(body);
            int uncompressed = Math.toIntExact(header.integer(2));
            switch ((int) header.integer(1)) {
                case DICTIONARY_PAGE -> {
                    Struct d = header.struct(7);
                    dictionary = plain(page(codec.decompress(body, uncompressed)), (int) d.integer(1));
                }
                case DATA_PAGE -> {
                    Struct d = header.struct(5);
                    int n = (int) d.integer(1);
                    ByteBuffer page = page(codec.decompress(body, uncompressed));
                    int[] defined = null;
                    if (field.optional()) {
                        if (d.integer(3) != RLE) {
                            throw unsupported(field, "definition level encoding " + d.integer(3));
                        }
                        int length = page.getInt();
                        defined = RleHybrid.decode(page.slice(page.position(), length), 1, n);
                        page.position(page.position() + length);
                    }
                    emit(out, defined, n, values(page, (int) d.integer(2), present(defined, n), dictionary, field));
                    seen += n;
                }
                case DATA_PAGE_V2 -> {
                    Struct d = header.struct(8);
                    int n = (int) d.integer(1);
                    int defLength = (int) d.integer(5);
                    int repLength = (int) d.integer(6);
                    ByteBuffer levels = page(body);
                    int[] defined = field.optional() ? RleHybrid.decode(levels.slice(0, defLength), 1, n) : null;
                    byte[] rest = java.util.Arrays.copyOfRange(body, defLength + repLength, body.length);
                    ByteBuffer page = page(d.bool(7, true)
                            ? codec.decompress(rest, uncompressed - defLength - repLength) : rest);
                    emit(out, defined, n, values(page, (int) d.integer(4), present(defined, n), dictionary, field));
                    seen += n;
                }
                default -> { } // index pages carry no values
            }
        }
    }

    private String[] values(ByteBuffer page, int encoding, int count, String[] dictionary, Field field) {
        switch (encoding) {
            case PLAIN:
                return plain(page, count);
            case PLAIN_DICTIONARY:
            case RLE_DICTIONARY:
                if (dictionary == null) {
                    throw new ParquetException(file + ": column \"" + field.name() + "\" has dictionary-encoded "
                            + "values but no dictionary page");
                }
                int bitWidth = page.get() & 0xff;
                int[] indices = RleHybrid.decode(page, bitWidth, count);
                String[] out = new String[count];
                for (int i = 0; i < count; i++) {
                    out[i] = dictionary[indices[i]];
                }
                return out;
            default:
                throw unsupported(field, "value encoding " + encoding);
        }
    }

    private ParquetException unsupported(Field field, String what) {
        return new ParquetException(file + ": column \"" + field.name() + "\" uses " + what
                + ", which this reader does not read (PLAIN and dictionary encodings are read)");
    }

    private static String[] plain(ByteBuffer page, int count) {
        String[] out = new String[count];
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[page.getInt()];
            page.get(bytes);
            out[i] = new String(bytes, StandardCharsets.UTF_8);
        }
        return out;
    }

    private static int present(int[] defined, int n) {
        if (defined == null) {
            return n;
        }
        int count = 0;
        for (int d : defined) {
            count += d;
        }
        return count;
    }

    private static void emit(List<String> out, int[] defined, int n, String[] values) {
        int next = 0;
        for (int i = 0; i < n; i++) {
            out.add(defined == null || defined[i] == 1 ? values[next++] : null);
        }
    }

    private Struct chunkOf(Struct rowGroup, String column) {
        for (Struct chunk : rowGroup.<Struct>list(1)) {
            List<byte[]> path = chunk.struct(3).list(3);
            if (path.size() == 1 && new String(path.get(0), StandardCharsets.UTF_8).equals(column)) {
                return chunk;
            }
        }
        throw new ParquetException(file + ": a row group has no data for column \"" + column + "\"");
    }

    /** The root's children; a group's descendants are skipped (they follow it depth first). */
    private static List<Field> topLevelFields(List<Struct> schema) {
        List<Field> out = new ArrayList<>();
        int i = 1;
        while (i < schema.size()) {
            Struct element = schema.get(i);
            int children = (int) element.integer(5, 0);
            boolean text = children == 0 && element.integer(1, -1) == BYTE_ARRAY
                    && element.integer(3, REQUIRED) != 2
                    && (element.integer(6, -1) == UTF8 || (element.struct(10) != null && element.struct(10).struct(1) != null));
            out.add(new Field(element.string(4), text, element.integer(3, REQUIRED) == OPTIONAL));
            i += 1 + descendants(schema, i);
        }
        return out;
    }

    private static int descendants(List<Struct> schema, int at) {
        int children = (int) schema.get(at).integer(5, 0);
        int count = 0;
        for (int c = 0; c < children; c++) {
            int child = at + 1 + count;
            count += 1 + descendants(schema, child);
        }
        return count;
    }

    private static ByteBuffer page(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static boolean startsWithMagic(ByteBuffer tail) {
        for (int i = 0; i < 4; i++) {
            if (tail.get(4 + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer read(FileChannel channel, long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, at + buffer.position()) < 0) {
                throw new IOException("ends before byte " + (at + length));
            }
        }
        return buffer.flip();
    }
}
