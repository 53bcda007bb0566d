package dev.espalier.ui;

/**
 * The app's own style sheet, served as a static resource (META-INF/resources) and loaded at run time, so the
 * pre-compiled Vaadin production bundle still fits and no npm build is needed.
 */
public final class EspalierStyle {
    public static final String URL = "context://espalier.css";

    private EspalierStyle() {
    }
}
