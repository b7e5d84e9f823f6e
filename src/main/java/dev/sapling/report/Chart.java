package dev.sapling.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart drawn offline — as SVG markup or as a PNG image — with no JavaScript and no network access, so
 * it renders in any notebook viewer and in headless CI.
 *
 * <pre>{@code
 * Chart c = Chart.line("loss by step", "step", "loss").series("train", steps, losses);
 * display(c);            // image/svg+xml
 * display(c.png());      // image/png
 * }</pre>
 *
 * @param title chart title
 * @param xLabel x axis label
 * @param yLabel y axis label
 * @param series the plotted series, in legend order
 */
public record Chart(String title, String xLabel, String yLabel, List<Series> series) implements Renderable {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 360;
  private static final int LEFT = 64;
  private static final int RIGHT = 120;
  private static final int TOP = 36;
  private static final int BOTTOM = 48;
  private static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

  /** One named series of (x, y) points. */
  public record Series(String name, double[] x, double[] y) {
    public Series {
      if (x.length != y.length) {
        throw new IllegalArgumentException("series '" + name + "': x has " + x.length + " values but y has " + y.length);
      }
      x = x.clone();
      y = y.clone();
    }
  }

  public Chart {
    series = List.copyOf(series);
  }

  /** An empty line chart; add data with {@link #series}. */
  public static Chart line(String title, String xLabel, String yLabel) {
    return new Chart(title, xLabel, yLabel, List.of());
  }

  /** This chart with one more series. */
  public Chart series(String name, double[] x, double[] y) {
    List<Series> all = new ArrayList<>(series);
    all.add(new Series(name, x, y));
    return new Chart(title, xLabel, yLabel, all);
  }

  /** This chart with one more series whose x values are 0, 1, 2, ... */
  public Chart series(String name, double[] y) {
    double[] x = new double[y.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    return series(name, x, y);
  }

  /** The data bounds {minX, maxX, minY, maxY}, widened where a range is empty. */
  double[] bounds() {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
          minX = Math.min(minX, s.x()[i]);
          maxX = Math.max(maxX, s.x()[i]);
          minY = Math.min(minY, s.y()[i]);
          maxY = Math.max(maxY, s.y()[i]);
        }
      }
    }
    if (minX > maxX) {
      return new double[] {0, 1, 0, 1};
    }
    if (minX == maxX) {
      minX -= 0.5;
      maxX += 0.5;
    }
    if (minY == maxY) {
      minY -= 0.5;
      maxY += 0.5;
    }
    return new double[] {minX, maxX, minY, maxY};
  }

  private double px(double x, double[] b) {
    return LEFT + (x - b[0]) / (b[1] - b[0]) * (WIDTH - LEFT - RIGHT);
  }

  private double py(double y, double[] b) {
    return HEIGHT - BOTTOM - (y - b[2]) / (b[3] - b[2]) * (HEIGHT - TOP - BOTTOM);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String tick(double v) {
    return String.format(Locale.ROOT, Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v != 0) ? "%.2e" : "%.3g", v);
  }

  /** The chart as a standalone SVG document (no scripts, no external references). */
  public String svg() {
    double[] b = bounds();
    StringBuilder sb = new StringBuilder();
    sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
        .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    sb.append("<text x=\"").append(WIDTH / 2).append("\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">")
        .append(Html.escape(title)).append("</text>\n");
    // axes
    sb.append("<path d=\"M").append(LEFT).append(',').append(TOP).append(" V").append(HEIGHT - BOTTOM).append(" H")
        .append(WIDTH - RIGHT).append("\" stroke=\"black\" fill=\"none\"/>\n");
    for (int t = 0; t <= 4; t++) {
      double xv = b[0] + (b[1] - b[0]) * t / 4;
      double yv = b[2] + (b[3] - b[2]) * t / 4;
      sb.append("<text x=\"").append(num(px(xv, b))).append("\" y=\"").append(HEIGHT - BOTTOM + 16)
          .append("\" text-anchor=\"middle\">").append(tick(xv)).append("</text>\n");
      sb.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(num(py(yv, b) + 4))
          .append("\" text-anchor=\"end\">").append(tick(yv)).append("</text>\n");
    }
    sb.append("<text x=\"").append((LEFT + WIDTH - RIGHT) / 2).append("\" y=\"").append(HEIGHT - 10)
        .append("\" text-anchor=\"middle\">").append(Html.escape(xLabel)).append("</text>\n");
    sb.append("<text transform=\"translate(14,").append((TOP + HEIGHT - BOTTOM) / 2)
        .append(") rotate(-90)\" text-anchor=\"middle\">").append(Html.escape(yLabel)).append("</text>\n");
    for (int s = 0; s < series.size(); s++) {
      Series sr = series.get(s);
      String color = PALETTE[s % PALETTE.length];
      StringBuilder d = new StringBuilder();
      for (int i = 0; i < sr.x().length; i++) {
        if (Double.isFinite(sr.x()[i]) && Double.isFinite(sr.y()[i])) {
          d.append(d.length() == 0 ? "M" : " L").append(num(px(sr.x()[i], b))).append(',')
              .append(num(py(sr.y()[i], b)));
        }
      }
      sb.append("<path d=\"").append(d).append("\" stroke=\"").append(color)
          .append("\" stroke-width=\"2\" fill=\"none\"/>\n");
      int ly = TOP + 14 + 18 * s;
      sb.append("<line x1=\"").append(WIDTH - RIGHT + 10).append("\" y1=\"").append(ly - 4).append("\" x2=\"")
          .append(WIDTH - RIGHT + 30).append("\" y2=\"").append(ly - 4).append("\" stroke=\"").append(color)
          .append("\" stroke-width=\"2\"/>\n");
      sb.append("<text x=\"").append(WIDTH - RIGHT + 34).append("\" y=\"").append(ly).append("\">")
          .append(Html.escape(sr.name())).append("</text>\n");
    }
    sb.append("</svg>");
    return sb.toString();
  }

  /** The chart drawn into an image with Java2D (works headless). */
  public BufferedImage png() {
    double[] b = bounds();
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
      g.drawString(title, WIDTH / 2 - g.getFontMetrics().stringWidth(title) / 2, 20);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
      g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
      for (int t = 0; t <= 4; t++) {
        String xs = tick(b[0] + (b[1] - b[0]) * t / 4);
        String ys = tick(b[2] + (b[3] - b[2]) * t / 4);
        g.drawString(xs, (int) px(b[0] + (b[1] - b[0]) * t / 4, b) - g.getFontMetrics().stringWidth(xs) / 2,
            HEIGHT - BOTTOM + 16);
        g.drawString(ys, LEFT - 6 - g.getFontMetrics().stringWidth(ys), (int) py(b[2] + (b[3] - b[2]) * t / 4, b) + 4);
      }
      g.drawString(xLabel, (LEFT + WIDTH - RIGHT) / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, HEIGHT - 10);
      g.setStroke(new BasicStroke(2f));
      for (int s = 0; s < series.size(); s++) {
        Series sr = series.get(s);
        g.setColor(Color.decode(PALETTE[s % PALETTE.length]));
        Path2D.Double path = new Path2D.Double();
        boolean started = false;
        for (int i = 0; i < sr.x().length; i++) {
          if (Double.isFinite(sr.x()[i]) && Double.isFinite(sr.y()[i])) {
            if (started) {
              path.lineTo(px(sr.x()[i], b), py(sr.y()[i], b));
            } else {
              path.moveTo(px(sr.x()[i], b), py(sr.y()[i], b));
              started = true;
            }
          }
        }
        g.draw(path);
        int ly = TOP + 14 + 18 * s;
        g.drawLine(WIDTH - RIGHT + 10, ly - 4, WIDTH - RIGHT + 30, ly - 4);
        g.setColor(Color.BLACK);
        g.drawString(sr.name(), WIDTH - RIGHT + 34, ly);
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  @Override
  public MimeBundle toMimeBundle() {
    return MimeBundle.text("<chart '" + title + "': " + series.size() + " series>").with("image/svg+xml", svg());
  }
}
