package dev.espalier.policy.text;

import java.util.Map;

/** Python's {@code json.dumps(x, ensure_ascii=False, indent=indent)} output for the values templates hold. */
final class PythonJson {

    private PythonJson() {
    }

    static String dumps(Object value, Integer indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, Integer indent, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : d == Math.rint(d) && Math.abs(d) < 1e16 ? String.format("%.1f", d) : Double.toString(d));
        } else if (v instanceof Number n) {
            out.append(n);
        } else if (v instanceof Map<?, ?> map) {
            container(out, '{', '}', map.entrySet(), indent, depth, (e, d) -> {
                string(out, String.valueOf(e.getKey()));
                out.append(": ");
                write(out, e.getValue(), indent, d);
            });
        } else if (v instanceof Iterable<?> list) {
            container(out, '[', ']', list, indent, depth, (e, d) -> write(out, e, indent, d));
        } else if (v instanceof Object[] array) {
            container(out, '[', ']', java.util.Arrays.asList(array), indent, depth, (e, d) -> write(out, e, indent, d));
        } else {
            string(out, v.toString());
        }
    }

    private interface ItemWriter<T> {
        void write(T item, int depth);
    }

    private static <T> void container(StringBuilder out, char open, char close, Iterable<T> items, Integer indent,
                                      int depth, ItemWriter<T> item) {
        out.append(open);
        boolean first = true;
        for (T t : items) {
            out.append(first ? "" : indent == null ? ", " : ",");
            if (indent != null) {
                out.append('\n').append(" ".repeat(indent * (depth + 1)));
            }
            item.write(t, depth + 1);
            first = false;
        }
        if (indent != null && !first) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
        out.append(close);
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
