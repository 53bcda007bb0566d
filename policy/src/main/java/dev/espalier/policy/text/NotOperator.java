package dev.espalier.policy.text;

import java.util.Set;

/**
 * Gives Jinja's {@code not} its Python precedence under jinjava. In Jinja, {@code not} binds looser than
 * comparisons, {@code in} and tests: {@code not x in y} is {@code not (x in y)}, {@code not a == b} is
 * {@code not (a == b)}, {@code not x is defined} is {@code not (x is defined)}. jinjava binds it like Java's
 * {@code !}, to the next operand only, which silently changes those conditions (or fails on {@code not a == b}).
 *
 * <p>The rewrite puts the operand in parentheses: inside each {@code {{ }}} and {@code {% %}} tag, {@code not}
 * (but not the {@code not} of {@code is not} / {@code not in}) takes everything up to the next {@code and},
 * {@code or}, {@code if}, {@code else}, comma or closing bracket at the same depth. String literals are copied as
 * they are.
 */
final class NotOperator {

    private static final Set<String> OPERAND_ENDS = Set.of("and", "or", "if", "else");

    private NotOperator() {
    }

    static String parenthesiseOperands(String template) {
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        while (i < template.length()) {
            int open = nextTag(template, i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            String closing = template.charAt(open + 1) == '{' ? "}}" : "%}";
            int close = tagEnd(template, open + 2, closing);
            if (close < 0) {
                out.append(template, i, template.length()); // unterminated: jinjava will report it
                break;
            }
            int from = open + 2;
            int to = close;
            if (from < to && (template.charAt(from) == '-' || template.charAt(from) == '+')) {
                from++; // whitespace control marker, not an operator
            }
            if (to > from && (template.charAt(to - 1) == '-' || template.charAt(to - 1) == '+')) {
                to--;
            }
            out.append(template, i, from)
                    .append(rewrite(template.substring(from, to)))
                    .append(template, to, close + 2);
            i = close + 2;
        }
        return out.toString();
    }

    /** Start of the next {@code {{} or {@code {%} tag at or after {@code from}; comments are skipped. */
    private static int nextTag(String t, int from) {
        for (int i = t.indexOf('{', from); i >= 0 && i + 1 < t.length(); i = t.indexOf('{', i + 1)) {
            char c = t.charAt(i + 1);
            if (c == '{' || c == '%') {
                return i;
            }
            if (c == '#') {
                int end = t.indexOf("#}", i + 2);
                if (end < 0) {
                    return -1;
                }
                i = end;
            }
        }
        return -1;
    }

    private static int tagEnd(String t, int from, String closing) {
        for (int i = from; i < t.length() - 1; i++) {
            char c = t.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(t, i) - 1;
            } else if (t.startsWith(closing, i)) {
                return i;
            }
        }
        return -1;
    }

    private static String rewrite(String e) {
        StringBuilder out = new StringBuilder(e.length() + 8);
        int i = 0;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(e, i);
                out.append(e, i, end);
                i = end;
            } else if (isWordStart(e, i)) {
                int end = wordEnd(e, i);
                String word = e.substring(i, end);
                if (word.equals("not") && !lastWord(out).equals("is") && !nextWord(e, end).equals("in")) {
                    int operandEnd = operandEnd(e, end);
                    String operand = e.substring(end, operandEnd);
                    String trailing = operand.substring(operand.stripTrailing().length());
                    out.append("not (").append(rewrite(operand.strip())).append(')').append(trailing);
                    i = operandEnd;
                } else {
                    out.append(word);
                    i = end;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int operandEnd(String e, int from) {
        int depth = 0;
        int i = from;
        while (i < e.length()) {
            char c = e.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(e, i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth-- == 0) {
                    return i;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            } else if (depth == 0 && isWordStart(e, i)) {
                int end = wordEnd(e, i);
                if (OPERAND_ENDS.contains(e.substring(i, end))) {
                    return i;
                }
                i = end;
                continue;
            }
            i++;
        }
        return e.length();
    }

    private static boolean isWordStart(String e, int i) {
        char c = e.charAt(i);
        return (Character.isLetter(c) || c == '_')
                && (i == 0 || !(Character.isLetterOrDigit(e.charAt(i - 1)) || e.charAt(i - 1) == '_'
                || e.charAt(i - 1) == '.'));
    }

    private static int wordEnd(String e, int i) {
        int j = i;
        while (j < e.length() && (Character.isLetterOrDigit(e.charAt(j)) || e.charAt(j) == '_')) {
            j++;
        }
        return j;
    }

    private static String lastWord(CharSequence out) {
        int end = out.length();
        while (end > 0 && Character.isWhitespace(out.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && (Character.isLetterOrDigit(out.charAt(start - 1)) || out.charAt(start - 1) == '_')) {
            start--;
        }
        return out.subSequence(start, end).toString();
    }

    private static String nextWord(String e, int from) {
        int start = from;
        while (start < e.length() && Character.isWhitespace(e.charAt(start))) {
            start++;
        }
        return start < e.length() && isWordStart(e, start) ? e.substring(start, wordEnd(e, start)) : "";
    }

    /** Index just past the string literal starting at {@code i} (backslash escapes honoured). */
    private static int stringEnd(String e, int i) {
        char quote = e.charAt(i);
        for (int j = i + 1; j < e.length(); j++) {
            if (e.charAt(j) == '\\') {
                j++;
            } else if (e.charAt(j) == quote) {
                return j + 1;
            }
        }
        return e.length();
    }
}
