package dev.espalier.ui.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.espalier.ui.client.Timeline;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TimelineTreeTest {

    private final List<Timeline.Node> nodes = new ArrayList<>();

    private Timeline.Node node(String prompt, Timeline.Node parent) {
        Timeline.Node n = new Timeline.Node(UUID.randomUUID(), parent == null ? null : parent.nodeId(),
                parent == null ? "ROOT" : "PLAYED", null, prompt, 0, false, "answer", (long) nodes.size(), null,
                List.of());
        nodes.add(n);
        return n;
    }

    private Timeline timeline(Timeline.Node head) {
        return new Timeline(UUID.randomUUID(), 1, nodes.get(0).nodeId(), head.nodeId(), List.copyOf(nodes));
    }

    @Test
    void aSessionWithoutBranches_isOneFlatList() {
        Timeline.Node root = node(null, null);
        Timeline.Node a = node("a", root);
        Timeline.Node b = node("b", a);
        Timeline timeline = timeline(b);
        TimelineTree tree = new TimelineTree(timeline);

        assertFalse(timeline.branches());
        assertEquals(List.of(root, a, b), tree.roots());
        assertTrue(tree.childrenOf(root).isEmpty());
        assertTrue(tree.childrenOf(a).isEmpty());
    }

    @Test
    void aBranch_opensUnderTheNodeItLeft_withItsOwnLineInside() {
        Timeline.Node root = node(null, null);
        Timeline.Node a = node("a", root);
        Timeline.Node b = node("b", a);
        Timeline.Node c = node("c after undo", a);
        Timeline.Node d = node("d", c);
        Timeline timeline = timeline(d);
        TimelineTree tree = new TimelineTree(timeline);

        assertTrue(timeline.branches());
        assertEquals(List.of(root, a, b), tree.roots(), "the first line stays on top");
        assertEquals(List.of(c), tree.childrenOf(a), "the branch opens under the node it left");
        assertEquals(List.of(d), tree.childrenOf(c), "the branch's own line continues inside it");
    }
}
