package dev.fifochan.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * PNG charts of a run (JFreeChart, headless): one-way throughput per workload (one bar per variant,
 * fifochan's in its own colour) and round-trip latency percentiles per CPU placement (log scale).
 * A smoke run's charts say so in their title.
 */
final class Charts {
  private static final Color FIFOCHAN = new Color(0x1f, 0x77, 0xb4);
  private static final Color OTHER = new Color(0x99, 0x99, 0x99);
  private static final Color[] PERCENTILES = {new Color(0x1f, 0x77, 0xb4), new Color(0x2c, 0xa0, 0x2c),
      new Color(0xff, 0x7f, 0x0e), new Color(0xd6, 0x27, 0x28)};

  private final Harness h;
  private final Results r;

  Charts(Harness h) {
    this.h = h;
    this.r = h.results;
  }

  List<Path> writeAll(Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (String wl : h.o.workloads) {
      List<String> vs = Report.ordered(r.variants("tput", "", wl));
      if (!vs.isEmpty()) {
        out.add(throughput(dir, wl, vs));
      }
    }
    for (String p : h.o.placements) {
      Path f = latency(dir, p);
      if (f != null) {
        out.add(f);
      }
    }
    return out;
  }

  private String title(String what) {
    return (h.o.smoke ? "SMOKE RUN, not a measurement: " : "") + what;
  }

  private String subtitle() {
    return String.format(Locale.ROOT, "fifochan bench, %s; medians of %d round(s); %s; load %s → %s", h.start.toString().substring(0, 16),
        h.o.rounds, h.pinning, h.loadBefore, h.loadAfter);
  }

  private void style(JFreeChart c) {
    c.setBackgroundPaint(Color.WHITE);
    c.addSubtitle(new TextTitle(subtitle(), new Font(Font.SANS_SERIF, Font.PLAIN, 11)));
    CategoryPlot plot = c.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
    plot.setOutlineVisible(false);
  }

  /** Bars of msg/s, one per variant. */
  private Path throughput(Path dir, String wl, List<String> variants) throws IOException {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    boolean millions = r.median("tput", "", wl, variants.get(0), 0) >= 1e6;
    double scale = millions ? 1e6 : 1e3;
    for (String v : variants) {
      d.addValue(r.median("tput", "", wl, v, 0) / scale, "msg/s", Variant.byName(v).label());
    }
    JFreeChart c = ChartFactory.createBarChart(title("one-way throughput, " + h.workload(wl).label), null,
        (millions ? "million" : "thousand") + " messages per second", d, PlotOrientation.HORIZONTAL, false, false, false);
    style(c);
    BarRenderer br = new BarRenderer() {
      private static final long serialVersionUID = 1L;

      @Override
      public Paint getItemPaint(int row, int column) {
        return variants.get(column).startsWith("fifochan") ? FIFOCHAN : OTHER;
      }
    };
    br.setBarPainter(new StandardBarPainter());
    br.setShadowVisible(false);
    br.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0.##")));
    br.setDefaultItemLabelsVisible(true);
    br.setDefaultPositiveItemLabelPosition(new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    c.getCategoryPlot().setRenderer(br);
    ((NumberAxis) c.getCategoryPlot().getRangeAxis()).setUpperMargin(0.15);
    Path f = dir.resolve("throughput-" + wl + ".png");
    ChartUtils.saveChartAsPNG(f.toFile(), c, 900, 120 + 45 * variants.size());
    return f;
  }

  /** Grouped bars of p50/p90/p99/p99.9 for every round-trip workload and variant at one placement, log scale. */
  private Path latency(Path dir, String p) throws IOException {
    DefaultCategoryDataset d = new DefaultCategoryDataset();
    int rows = 0;
    for (String wl : h.o.workloads) {
      for (String v : Report.ordered(r.variants("rtt", p, wl))) {
        String cat = h.workload(wl).label + " · " + Variant.byName(v).label();
        for (int i = 0; i < 4; i++) {
          d.addValue(r.median("rtt", p, wl, v, i), Results.RTT_STATS[i], cat);
        }
        rows++;
      }
    }
    if (rows == 0) {
      return null;
    }
    JFreeChart c = ChartFactory.createBarChart(title("round-trip latency, " + Report.placementText(p)), null, "µs (log scale)", d,
        PlotOrientation.HORIZONTAL, true, false, false);
    style(c);
    CategoryPlot plot = c.getCategoryPlot();
    LogAxis axis = new LogAxis("µs (log scale)");
    axis.setSmallestValue(0.05);
    axis.setTickUnit(new NumberTickUnit(1.0)); // one tick per power of ten
    axis.setNumberFormatOverride(new DecimalFormat("#,##0.##"));
    plot.setRangeAxis(axis);
    BarRenderer br = (BarRenderer) plot.getRenderer();
    br.setBarPainter(new StandardBarPainter());
    br.setShadowVisible(false);
    br.setBase(0.05);
    br.setItemMargin(0.02);
    for (int i = 0; i < PERCENTILES.length; i++) {
      br.setSeriesPaint(i, PERCENTILES[i]);
    }
    Path f = dir.resolve("latency-" + p + ".png");
    ChartUtils.saveChartAsPNG(f.toFile(), c, 900, 160 + 70 * rows);
    return f;
  }
}
