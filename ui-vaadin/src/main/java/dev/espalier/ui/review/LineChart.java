package dev.espalier.ui.review;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart over training steps, drawn as a self-contained SVG document. Our own few lines instead of a chart
 * component: Vaadin Charts needs a commercial licence, and a JavaScript library would need a custom frontend
 * bundle (an npm build). The SVG is shown through an {@code <img>}, so it can never run script; it holds only
 * numbers and the title, and the title is escaped.
 */
public final class LineChart {

    static final int WIDTH = 420;
    static final int HEIGHT = 180;
    private static final int LEFT = 56;
    private static final int RIGHT = 12;
    private static final int TOP = 24;
    private static final int BOTTOM = 28;

    /** One value at one step. */
    public record Point(double step, double value) {
    }

    private LineChart() {
    }

    /** An SVG plotting {@code points} in order; NaN and infinite values are left out of the line. */
    public static String svg(String title, List<Point> points) {
        return svg(title, points, List.of());
    }

    /** As {@link #svg(String, List)}, with {@code faded} drawn as pale dots behind the line (other branches). */
    public static String svg(String title, List<Point> points, List<Point> faded) {
        List<Point> finite = points.stream().filter(p -> Double.isFinite(p.value()) && Double.isFinite(p.step()))
                .toList();
        List<Point> fadedFinite = faded.stream().filter(p -> Double.isFinite(p.value()) && Double.isFinite(p.step()))
                .toList();
        List<Point> all = new ArrayList<>(finite);
        all.addAll(fadedFinite);
        StringBuilder svg = new StringBuilder()
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" font-family=\"monospace\" font-size=\"11\">")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
                .append("<text x=\"").append(LEFT).append("\" y=\"15\" font-size=\"13\" fill=\"#222\">")
                .append(escape(title)).append("</text>");
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW)
                .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#bbb\"/>");
        if (all.isEmpty()) {
            return svg.append("<text x=\"").append(LEFT + 8).append("\" y=\"").append(TOP + plotH / 2)
                    .append("\" fill=\"#888\">no steps yet</text></svg>").toString();
        }
        double minX = all.stream().mapToDouble(Point::step).min().orElseThrow();
        double maxX = all.stream().mapToDouble(Point::step).max().orElseThrow();
        double minY = all.stream().mapToDouble(Point::value).min().orElseThrow();
        double maxY = all.stream().mapToDouble(Point::value).max().orElseThrow();
        double firstStep = minX;
        double lastStep = maxX;
        if (maxX == minX) {
            minX -= 0.5;
            maxX += 0.5;
        }
        if (maxY == minY) {
            double pad = Math.max(Math.abs(minY) * 0.1, 1e-6);
            minY -= pad;
            maxY += pad;
        }
        axisLabel(svg, 4, TOP + 10, maxY);
        axisLabel(svg, 4, TOP + plotH, minY);
        svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - 8).append("\" fill=\"#555\">step ")
                .append(step(firstStep)).append("</text><text x=\"").append(WIDTH - RIGHT)
                .append("\" y=\"").append(HEIGHT - 8).append("\" text-anchor=\"end\" fill=\"#555\">step ")
                .append(step(lastStep)).append("</text>");
        for (Point p : fadedFinite) {
            double x = LEFT + (p.step() - minX) / (maxX - minX) * plotW;
            double y = TOP + plotH - (p.value() - minY) / (maxY - minY) * plotH;
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#c8d3e0\"/>", x,
                    y));
        }
        StringBuilder line = new StringBuilder();
        for (Point p : finite) {
            double x = LEFT + (p.step() - minX) / (maxX - minX) * plotW;
            double y = TOP + plotH - (p.value() - minY) / (maxY - minY) * plotH;
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#1f6feb\"/>", x,
                    y));
        }
        return svg.append("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\" points=\"")
                .append(line.toString().strip()).append("\"/></svg>").toString();
    }

    private static void axisLabel(StringBuilder svg, int x, int y, double value) {
        svg.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" fill=\"#555\">")
                .append(number(value)).append("</text>");
    }

    private static String step(double step) {
        return step == Math.rint(step) ? Long.toString((long) step) : number(step);
    }

    static String number(double value) {
        return String.format(Locale.ROOT, Math.abs(value) >= 1e4 || (value != 0 && Math.abs(value) < 1e-3)
                ? "%.2e" : "%.4g", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
