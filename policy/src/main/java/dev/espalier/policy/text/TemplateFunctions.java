package dev.espalier.policy.text;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The globals, filter and test transformers adds to (or overrides in) the Jinja environment of chat templates. */
final class TemplateFunctions {

    /** Thrown by {@code raise_exception(msg)}; its message is the template's own. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    private TemplateFunctions() {
    }

    /** {@code raise_exception(message)}: stop rendering with the template's message. */
    public static Object raiseException(Object message) {
        throw new Raised(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the local time in Python strftime format (the common directives). */
    public static String strftimeNow(String format) {
        LocalDateTime now = LocalDateTime.now();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            out.append(switch (d) {
                case 'Y' -> String.format("%04d", now.getYear());
                case 'y' -> String.format("%02d", now.getYear() % 100);
                case 'm' -> String.format("%02d", now.getMonthValue());
                case 'd' -> String.format("%02d", now.getDayOfMonth());
                case 'H' -> String.format("%02d", now.getHour());
                case 'I' -> String.format("%02d", (now.getHour() + 11) % 12 + 1);
                case 'M' -> String.format("%02d", now.getMinute());
                case 'S' -> String.format("%02d", now.getSecond());
                case 'p' -> now.getHour() < 12 ? "AM" : "PM";
                case 'j' -> String.format("%03d", now.getDayOfYear());
                case 'B' -> now.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b' -> now.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> now.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'F' -> now.format(DateTimeFormatter.ISO_LOCAL_DATE);
                case '%' -> "%";
                default -> "%" + d;
            });
        }
        return out.toString();
    }

    /**
     * {@code tojson} as transformers defines it: Python's {@code json.dumps} with {@code ensure_ascii=False}, so
     * {@code ", "} and {@code ": "} separators and no HTML escaping; {@code indent} as keyword argument.
     */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return PythonJson.dumps(var, null);
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            return PythonJson.dumps(var, indent instanceof Number n ? n.intValue() : null);
        }
    }

    /** Jinja 3.1's {@code items} filter: a mapping's (key, value) pairs, for {@code for k, v in d | items}. */
    static final class Items implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return var instanceof Map<?, ?> map ? new ArrayList<>(map.entrySet()) : List.of();
        }
    }

    /** Jinja's {@code trim(chars)}: strips the given characters, whitespace when none are given. */
    static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            String s = var == null ? "" : var.toString();
            if (args.length == 0 || args[0] == null) {
                return s.strip();
            }
            String chars = args[0];
            int start = 0;
            int end = s.length();
            while (start < end && chars.indexOf(s.charAt(start)) >= 0) {
                start++;
            }
            while (end > start && chars.indexOf(s.charAt(end - 1)) >= 0) {
                end--;
            }
            return s.substring(start, end);
        }
    }

    /** Jinja's {@code is sequence}: anything with a length and items, strings and mappings included. */
    static final class IsSequence implements ExpTest {
        @Override
        public String getName() {
            return "sequence";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof String || var instanceof java.util.Collection<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }

    /** Python's {@code is none}: true for null, also where jinjava keeps a null list item as a loop value. */
    static final class IsNone implements ExpTest {
        @Override
        public String getName() {
            return "none";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var == null;
        }
    }

    /** Python's {@code is iterable}: strings and mappings are iterable too (jinjava says no to both). */
    static final class Iterable implements ExpTest {
        @Override
        public String getName() {
            return "iterable";
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof String || var instanceof java.lang.Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }
}
