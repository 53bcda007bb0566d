package dev.espalier.policy.text;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods for chat templates ({@code content.startswith('<tool_response>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, ...). jinjava would otherwise call the Java method of the same
 * name, or fail: Java's {@code split} takes a regex and drops trailing empty parts, and there is no {@code lstrip}.
 * Only calls on a String base with one of these names, and integer indexing of a String, are taken; everything
 * else goes to the next resolver.
 */
final class PythonStringMethods extends ELResolver {

    private static final Set<String> METHODS = Set.of("strip", "lstrip", "rstrip", "startswith", "endswith", "split",
            "replace", "lower", "upper", "title", "capitalize", "join", "find", "count", "isspace", "isdigit",
            "isalpha");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String s) || !(method instanceof String name) || !METHODS.contains(name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = call(s, name, args);
        context.setPropertyResolved(true);
        return result;
    }

    private static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(s, chars(args)), chars(args));
            case "lstrip" -> lstrip(s, chars(args));
            case "rstrip" -> rstrip(s, chars(args));
            case "startswith" -> anyOf(args[0]).stream().anyMatch(s::startsWith);
            case "endswith" -> anyOf(args[0]).stream().anyMatch(s::endsWith);
            case "split" -> split(s, args.length > 0 ? (String) args[0] : null,
                    args.length > 1 ? ((Number) args[1]).intValue() : -1);
            case "replace" -> replace(s, str(args[0]), str(args[1]), args.length > 2 ? ((Number) args[2]).intValue() : -1);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
            case "join" -> String.join(s, anyOf(args[0]));
            case "find" -> s.indexOf(str(args[0]));
            case "count" -> countOf(s, str(args[0]));
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(Character::isWhitespace);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            default -> throw new IllegalStateException(name);
        };
    }

    /** The characters to strip, or null for Python's default (whitespace). */
    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : str(args[0]);
    }

    private static boolean strips(String chars, char c) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(chars, s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && strips(chars, s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    /** Python's str.split: a literal separator keeps empty parts; no separator splits on whitespace runs. */
    private static List<String> split(String s, String sep, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            String rest = s.strip();
            while (!rest.isEmpty()) {
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(rest);
                    return parts;
                }
                int end = 0;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
                    end++;
                }
                parts.add(rest.substring(0, end));
                rest = rest.substring(end).stripLeading();
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int start = 0;
        for (int at; (at = s.indexOf(sep, start)) >= 0 && (maxSplit < 0 || parts.size() < maxSplit); ) {
            parts.add(s.substring(start, at));
            start = at + sep.length();
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int done = 0, at; done < count && (at = s.indexOf(old, start)) >= 0; done++) {
            out.append(s, start, at).append(replacement);
            start = at + old.length();
        }
        return out.append(s.substring(start)).toString();
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (char c : s.toCharArray()) {
            out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static int countOf(String s, String sub) {
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0 && !sub.isEmpty(); at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    /** A string, or a list/tuple/array of them, as {@code startswith(('a', 'b'))} and {@code join(list)} accept. */
    private static List<String> anyOf(Object arg) {
        if (arg instanceof Iterable<?> items) {
            List<String> out = new ArrayList<>();
            items.forEach(i -> out.add(str(i)));
            return out;
        }
        if (arg instanceof Object[] items) {
            return Arrays.stream(items).map(PythonStringMethods::str).toList();
        }
        return List.of(str(arg));
    }

    private static String str(Object o) {
        return o == null ? "None" : o.toString();
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    /** {@code s[i]} with Python's negative indices: {@code message.role[0]}. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        // jinjava hands integer subscripts over as strings
        if (!(base instanceof String s) || property == null || !property.toString().matches("-?\\d{1,9}")) {
            return null;
        }
        int n = Integer.parseInt(property.toString());
        int i = n < 0 ? s.length() + n : n;
        if (i < 0 || i >= s.length()) {
            throw new IndexOutOfBoundsException("string index out of range: " + n);
        }
        context.setPropertyResolved(true);
        return s.substring(i, i + 1);
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // values are resolved by the next resolver
    }
}
