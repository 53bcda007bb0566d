package dev.espalier.policy.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} and {@code --flag} arguments of one subcommand. Every getter names the argument in its
 * error, and {@link #checkAllUsed()} rejects arguments no getter asked for, so a typo never passes silently.
 */
public final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> used = new HashSet<>();

    /** @param flags the names that take no value */
    public static Args parse(String[] argv, int from, Set<String> flags) {
        Args args = new Args();
        for (int i = from; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("-")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String name = a.replaceFirst("^--?", "");
            String value;
            if (flags.contains(name)) {
                value = "true";
            } else if (i + 1 < argv.length) {
                value = argv[++i];
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
            if (args.values.put(name, value) != null) {
                throw new IllegalArgumentException(a + " given twice");
            }
        }
        return args;
    }

    public boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    public String string(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    public String string(String name, String fallback) {
        return has(name) ? string(name) : fallback;
    }

    public int integer(String name, int fallback) {
        return has(name) ? integer(name) : fallback;
    }

    public int integer(String name) {
        String v = string(name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    public long longValue(String name, long fallback) {
        if (!has(name)) {
            return fallback;
        }
        String v = string(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    public double number(String name, double fallback) {
        if (!has(name)) {
            return fallback;
        }
        String v = string(name);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    public boolean flag(String name) {
        return has(name);
    }

    /** A comma-separated list of integers, e.g. {@code --ids 1,2,3}. */
    public int[] integers(String name) {
        String v = string(name);
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",")) {
            try {
                out.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be comma-separated integers, got '" + v + "'");
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** An existing directory. */
    public Path directory(String name) {
        Path p = Path.of(string(name));
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("--" + name + " " + p + ": no such directory");
        }
        return p;
    }

    public void checkAllUsed() {
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new IllegalArgumentException("unknown argument --" + name);
            }
        }
    }
}
