package dev.espalier.ui.review;

import dev.espalier.ui.client.Timeline;
import java.util.ArrayList;
import java.util.List;

/**
 * The timeline laid out as a tree like {@code git log --graph}: a line of play stays at one level, and only a
 * branch (a node with a second child, from undo or checkout followed by a new step) opens a level below. So a
 * session without branches is a flat list, and one with branches shows each branch under the node it left.
 */
public final class TimelineTree {

    private final Timeline timeline;

    public TimelineTree(Timeline timeline) {
        this.timeline = timeline;
    }

    /** The top level: the line starting at the root. */
    public List<Timeline.Node> roots() {
        return timeline.nodes().stream().filter(n -> n.parentNodeId() == null).findFirst()
                .map(this::lineFrom).orElse(List.of());
    }

    /** Below a node: each later child of it starts a branch, shown as that branch's line. */
    public List<Timeline.Node> branchesOf(Timeline.Node node) {
        List<Timeline.Node> children = timeline.childrenOf(node.nodeId());
        List<Timeline.Node> branchHeads = new ArrayList<>();
        for (int i = 1; i < children.size(); i++) {
            branchHeads.add(children.get(i));
        }
        return branchHeads;
    }

    /** Items below a tree row: for a branch head its own line after it, then its branches. */
    public List<Timeline.Node> childrenOf(Timeline.Node item) {
        if (isBranchHead(item)) {
            List<Timeline.Node> line = lineFrom(item);
            List<Timeline.Node> rest = new ArrayList<>(line.subList(1, line.size()));
            rest.addAll(0, branchesOf(item));
            return rest;
        }
        return branchesOf(item);
    }

    private boolean isBranchHead(Timeline.Node node) {
        if (node.parentNodeId() == null) {
            return false;
        }
        List<Timeline.Node> siblings = timeline.childrenOf(node.parentNodeId());
        return !siblings.isEmpty() && !siblings.get(0).nodeId().equals(node.nodeId());
    }

    /** The node and its first children, first child after first child. */
    private List<Timeline.Node> lineFrom(Timeline.Node start) {
        List<Timeline.Node> line = new ArrayList<>();
        Timeline.Node at = start;
        while (at != null) {
            line.add(at);
            List<Timeline.Node> children = timeline.childrenOf(at.nodeId());
            at = children.isEmpty() ? null : children.get(0);
        }
        return line;
    }
}
