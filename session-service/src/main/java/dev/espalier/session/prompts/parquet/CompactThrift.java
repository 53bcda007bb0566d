package dev.espalier.session.prompts.parquet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Thrift compact-protocol structs, the encoding of Parquet's footer and page headers, into {@link Struct}s keyed
 * by field id. Generic on purpose: fields this reader does not need are parsed and ignored, so newer writers' extra
 * fields do not break it. Spec: https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md
 */
final class CompactThrift {

    private static final int STOP = 0;
    private static final int TRUE = 1;
    private static final int FALSE = 2;
    private static final int BYTE = 3;
    private static final int I16 = 4;
    private static final int I32 = 5;
    private static final int I64 = 6;
    private static final int DOUBLE = 7;
    private static final int BINARY = 8;
    private static final int LIST = 9;
    private static final int SET = 10;
    private static final int MAP = 11;
    private static final int STRUCT = 12;

    /** One decoded struct: integers as Long, binaries as byte[], lists as List, structs as Struct. */
    record Struct(Map<Short, Object> fields) {

        long integer(int id, long otherwise) {
            Object v = fields.get((short) id);
            return v == null ? otherwise : (Long) v;
        }

        long integer(int id) {
            Object v = fields.get((short) id);
            if (v == null) {
                throw new IllegalArgumentException("required field " + id + " is missing");
            }
            return (Long) v;
        }

        String string(int id) {
            byte[] v = (byte[]) fields.get((short) id);
            return v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
        }

        Struct struct(int id) {
            return (Struct) fields.get((short) id);
        }

        boolean bool(int id, boolean otherwise) {
            Object v = fields.get((short) id);
            return v == null ? otherwise : (Boolean) v;
        }

        @SuppressWarnings("unchecked")
        <T> List<T> list(int id) {
            Object v = fields.get((short) id);
            return v == null ? List.of() : (List<T>) v;
        }
    }

    private final ByteBuffer in;

    /** Reads from {@code in}'s position on; the position ends after what was read. */
    CompactThrift(ByteBuffer in) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
    }

    Struct struct() {
        Map<Short, Object> fields = new HashMap<>();
        short last = 0;
        while (true) {
            int header = in.get() & 0xff;
            int type = header & 0x0f;
            if (type == STOP) {
                return new Struct(fields);
            }
            int delta = header >>> 4;
            short id = delta == 0 ? (short) zigzag(varint()) : (short) (last + delta);
            last = id;
            fields.put(id, type == TRUE || type == FALSE ? Boolean.valueOf(type == TRUE) : value(type));
        }
    }

    private Object value(int type) {
        return switch (type) {
            case BYTE -> (long) in.get();
            case I16, I32, I64 -> zigzag(varint());
            case DOUBLE -> in.getDouble();
            case BINARY -> {
                byte[] bytes = new byte[Math.toIntExact(varint())];
                in.get(bytes);
                yield bytes;
            }
            case LIST, SET -> list();
            case MAP -> map();
            case STRUCT -> struct();
            default -> throw new IllegalArgumentException("unknown Thrift compact type " + type);
        };
    }

    private List<Object> list() {
        int header = in.get() & 0xff;
        int size = header >>> 4;
        if (size == 15) {
            size = Math.toIntExact(varint());
        }
        int type = header & 0x0f;
        List<Object> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            // Booleans in collections take one byte each.
            out.add(type == TRUE || type == FALSE ? Boolean.valueOf(in.get() == TRUE) : value(type));
        }
        return out;
    }

    private Map<Object, Object> map() {
        int size = Math.toIntExact(varint());
        Map<Object, Object> out = new HashMap<>();
        if (size == 0) {
            return out;
        }
        int types = in.get() & 0xff;
        for (int i = 0; i < size; i++) {
            out.put(value(types >>> 4), value(types & 0x0f));
        }
        return out;
    }

    private long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.get() & 0xff;
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint longer than 64 bits");
    }

    private static long zigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }
}
