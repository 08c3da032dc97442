package dev.acdc.experiments.discover;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A figure of one or more XChart panels side by side, as PNG and as SVG (XChart's own vector path: VectorGraphics2D's
 * SVG processor, which {@code VectorGraphicsEncoder} uses for one chart; here several charts are painted into one page).
 *
 * @param png the raster figure
 * @param svg the same figure as SVG
 */
public record PlotImages(byte[] png, byte[] svg) {

    /** Renders the panels left to right, each at its own size; the figure is as tall as the tallest. */
    public static PlotImages of(String what, List<? extends Chart<?, ?>> panels) {
        System.setProperty("java.awt.headless", "true");
        int width = panels.stream().mapToInt(Chart::getWidth).sum();
        int height = panels.stream().mapToInt(Chart::getHeight).max().orElse(1);
        try {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            paint(g, panels);
            g.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);

            VectorGraphics2D vg = new VectorGraphics2D();
            paint(vg, panels);
            ByteArrayOutputStream svg = new ByteArrayOutputStream();
            new SVGProcessor().getDocument(vg.getCommands(), new PageSize(0, 0, width, height)).writeTo(svg);
            return new PlotImages(png.toByteArray(), svg.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + what + ": " + e.getMessage(), e);
        }
    }

    private static void paint(Graphics2D g, List<? extends Chart<?, ?>> panels) {
        int x = 0;
        for (Chart<?, ?> c : panels) {
            Graphics2D sub = (Graphics2D) g.create();
            sub.translate(x, 0);
            c.paint(sub, c.getWidth(), c.getHeight());
            sub.dispose();
            x += c.getWidth();
        }
    }
}
