package dev.espalier.policy.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The input of one step, exactly what the trainer journals for replay: the prompt's token ids, the G completions'
 * token ids (EOS included when generated, no padding) and the person's pick, or {@link #NONE}.
 * JSON form (DESIGN.md §6): {@code {"prompt_ids":[..], "completions":[[..],..], "choice": k or -1}}.
 */
public record StepCase(int[] promptIds, int[][] completions, int choice) {

    public static final int NONE = -1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public StepCase {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("prompt_ids is empty: a completion needs at least one token before it");
        }
        if (completions.length < 2) {
            throw new IllegalArgumentException("completions: need at least 2 rollouts to compare, got "
                    + completions.length);
        }
        for (int i = 0; i < completions.length; i++) {
            if (completions[i].length == 0) {
                throw new IllegalArgumentException("completions[" + i + "] is empty (every completion needs >= 1 token)");
            }
            requireTokenIds(completions[i], "completions[" + i + "]");
        }
        requireTokenIds(promptIds, "prompt_ids");
        if (choice != NONE && (choice < 0 || choice >= completions.length)) {
            throw new IllegalArgumentException("choice " + choice + " is outside 0.." + (completions.length - 1)
                    + " (use -1 for none)");
        }
        promptIds = promptIds.clone();
        completions = Arrays.stream(completions).map(int[]::clone).toArray(int[][]::new);
    }

    private static void requireTokenIds(int[] ids, String what) {
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException(what + " holds a negative token id " + id);
            }
        }
    }

    public int groupSize() {
        return completions.length;
    }

    /** Reads a case file; any problem is reported with the file name and nothing else happens. */
    public static StepCase read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read case file " + file + ": " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("case file " + file + ": " + e.getMessage(), e);
        }
    }

    public static StepCase parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object with prompt_ids, completions, choice");
        }
        int[] prompt = ids(root.get("prompt_ids"), "prompt_ids");
        JsonNode comps = root.get("completions");
        if (comps == null || !comps.isArray()) {
            throw new IllegalArgumentException("completions must be a list of token id lists");
        }
        int[][] completions = new int[comps.size()][];
        for (int i = 0; i < completions.length; i++) {
            completions[i] = ids(comps.get(i), "completions[" + i + "]");
        }
        JsonNode choice = root.get("choice");
        if (choice == null || !choice.canConvertToInt() || !choice.isIntegralNumber()) {
            throw new IllegalArgumentException("choice must be an integer (k, or -1 for none)");
        }
        return new StepCase(prompt, completions, choice.asInt());
    }

    private static int[] ids(JsonNode node, String what) {
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(what + " must be a list of token ids");
        }
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new IllegalArgumentException(what + "[" + i + "] is not a token id: " + v);
            }
            out[i] = v.asInt();
        }
        return out;
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode prompt = root.putArray("prompt_ids");
        Arrays.stream(promptIds).forEach(prompt::add);
        ArrayNode comps = root.putArray("completions");
        for (int[] c : completions) {
            ArrayNode row = comps.addArray();
            Arrays.stream(c).forEach(row::add);
        }
        root.put("choice", choice);
        return root.toString();
    }
}
