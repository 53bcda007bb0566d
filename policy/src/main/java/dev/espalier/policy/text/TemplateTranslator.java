package dev.espalier.policy.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few Python-Jinja constructs jinjava parses differently, before jinjava sees the template. Each rule
 * is pinned by a case in golden/tokenizer/template_features.json:
 * <ul>
 *   <li>One trailing newline is dropped, as Jinja's default {@code keep_trailing_newline=False} does.</li>
 *   <li>{@code x[::-1]} becomes {@code (x|reverse)}: jinjava's slices take no step. Applies to a name with
 *       attribute/index accesses in front of the slice, which is how templates use it.</li>
 *   <li>{@code namespace(a=EXPR, ...)}: each keyword value is put in parentheses, because jinjava binds
 *       {@code a=messages|length - 1} as {@code (a=messages|length) - 1}.</li>
 *   <li>{@code not OPERAND} becomes {@code not (OPERAND)} inside tags, so that {@code not x is defined},
 *       {@code not x in y} and {@code not a == b} mean what they mean in Jinja (see {@link NotOperator}).</li>
 * </ul>
 * The first three rules do not look inside string literals; a template that spelled those constructs inside a
 * string would be rewritten there too.
 */
final class TemplateTranslator {

    private static final Pattern REVERSE_SLICE =
            Pattern.compile("([A-Za-z_][\\w.]*(?:\\[[^\\[\\]]*\\])*)\\[\\s*:\\s*:\\s*-1\\s*\\]");
    private static final Pattern NAMESPACE_CALL = Pattern.compile("\\bnamespace\\(");

    private TemplateTranslator() {
    }

    static String translate(String template) {
        String t = dropTrailingNewline(template);
        t = REVERSE_SLICE.matcher(t).replaceAll(m -> Matcher.quoteReplacement("(" + m.group(1) + "|reverse)"));
        t = parenthesiseNamespaceArguments(t);
        return NotOperator.parenthesiseOperands(t);
    }

    private static String dropTrailingNewline(String t) {
        if (t.endsWith("\r\n")) {
            return t.substring(0, t.length() - 2);
        }
        return t.endsWith("\n") || t.endsWith("\r") ? t.substring(0, t.length() - 1) : t;
    }

    private static String parenthesiseNamespaceArguments(String t) {
        StringBuilder out = new StringBuilder();
        Matcher m = NAMESPACE_CALL.matcher(t);
        int copied = 0;
        while (m.find(copied)) {
            int open = m.end() - 1;
            int close = matchingParen(t, open);
            if (close < 0) {
                break; // unbalanced: leave it to jinjava to report
            }
            out.append(t, copied, open + 1);
            String sep = "";
            for (String arg : splitTopLevel(t.substring(open + 1, close))) {
                int eq = keywordEquals(arg);
                out.append(sep).append(eq < 0 ? arg
                        : arg.substring(0, eq + 1) + "(" + arg.substring(eq + 1).strip() + ")");
                sep = ",";
            }
            out.append(')');
            copied = close + 1;
        }
        return out.append(t.substring(copied)).toString();
    }

    /** Index of the '=' of {@code name=value}, or -1 when the argument is positional. */
    private static int keywordEquals(String arg) {
        Matcher kw = Pattern.compile("^\\s*[A-Za-z_]\\w*\\s*=(?!=)").matcher(arg);
        return kw.find() ? kw.end() - 1 : -1;
    }

    private static int matchingParen(String t, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < t.length(); i++) {
            char c = t.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    return c == ')' ? i : -1;
                }
            }
        }
        return -1;
    }

    private static List<String> splitTopLevel(String args) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(args.substring(start, i));
                start = i + 1;
            }
        }
        if (!args.isBlank()) {
            parts.add(args.substring(start));
        }
        return parts;
    }
}
