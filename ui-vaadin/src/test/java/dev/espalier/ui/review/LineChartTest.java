package dev.espalier.ui.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LineChartTest {

    @Test
    void svg_escapesTheTitle_soItCannotInjectMarkup() {
        String svg = LineChart.svg("<script>alert(1)</script>", List.of(new LineChart.Point(1, 0.5)));

        assertFalse(svg.contains("<script>"));
        assertTrue(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    @Test
    void svg_plotsOnePointPerFiniteValue_leftToRightByStep() {
        String svg = LineChart.svg("loss", List.of(new LineChart.Point(1, 0.9), new LineChart.Point(2, Double.NaN),
                new LineChart.Point(3, 0.3), new LineChart.Point(4, Double.POSITIVE_INFINITY)));

        Matcher circles = Pattern.compile("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"").matcher(svg);
        assertTrue(circles.find());
        double x1 = Double.parseDouble(circles.group(1));
        double y1 = Double.parseDouble(circles.group(2));
        assertTrue(circles.find());
        double x2 = Double.parseDouble(circles.group(1));
        double y2 = Double.parseDouble(circles.group(2));
        assertFalse(circles.find(), "NaN and infinity are left out");
        assertTrue(x1 < x2, "step 1 left of step 3");
        assertTrue(y1 < y2, "the higher loss is drawn higher (smaller y)");
        assertTrue(svg.contains(">step 1<") && svg.contains(">step 3<"), "axis names the first and last step");
    }

    @Test
    void svg_saysSo_whenThereAreNoSteps() {
        String svg = LineChart.svg("grad norm", List.of());

        assertTrue(svg.contains("no steps yet"));
        assertFalse(svg.contains("<polyline"));
    }

    @Test
    void svg_centresASingleStep_withoutDividingByZero() {
        String svg = LineChart.svg("KL", List.of(new LineChart.Point(5, 0.25)));

        Matcher circle = Pattern.compile("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"").matcher(svg);
        assertTrue(circle.find());
        double plotLeft = 56;
        double plotRight = LineChart.WIDTH - 12;
        assertEquals((plotLeft + plotRight) / 2, Double.parseDouble(circle.group(1)), 0.1);
    }
}
