package dev.sapling.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ReportTest {
  private static Table numbers(int rows) {
    return Table.create("numbers", IntColumn.create("i", IntStream.range(0, rows).toArray()),
        StringColumn.create("s", IntStream.range(0, rows).mapToObj(i -> i == 0 ? "<script>x</script>" : "r" + i)
            .toArray(String[]::new)));
  }

  @Test
  void longTableShowsHeadAndTailWithAnElisionRow() {
    TableView view = TableView.of(numbers(100)).rows(3);
    assertEquals(List.of(0, 1, 2, -1, 97, 98, 99), view.shownRows());
    String html = view.html();
    assertEquals(1 + 3 + 1 + 3, html.split("<tr>", -1).length - 1);
    assertTrue(html.contains("<td>99</td>"));
    assertFalse(html.contains("<td>50</td>"));
    assertTrue(html.contains("numbers: 100 rows \u00d7 2 columns"));
  }

  @Test
  void tableCellsAndNamesAreEscaped() {
    String html = TableView.of(numbers(2)).html();
    assertTrue(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assertFalse(html.contains("<script>"));
    assertTrue(html.contains("<th>i<br><small>INTEGER</small></th>"));
    String plain = TableView.of(numbers(2)).plain();
    assertTrue(plain.contains("INTEGER"), plain);
  }

  @Test
  void rendersImagesAsPngAndHtmlStringsAsHtml() {
    MimeBundle png = Renderers.render(new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB));
    byte[] bytes = Base64.getDecoder().decode((String) png.data().get("image/png"));
    assertEquals((byte) 0x89, bytes[0]);
    assertEquals("PNG", new String(bytes, 1, 3));
    assertEquals("<image 5x4>", png.plainText());
    MimeBundle html = Renderers.render("<b>x</b>", "text/html");
    assertEquals("<b>x</b>", html.data().get("text/html"));
    assertEquals("[1, 2]", Renderers.render(new int[] {1, 2}).plainText());
  }

  @Test
  void chartIsStandaloneSvgWithoutScripts() {
    Chart c = Chart.line("loss <by> step", "step", "loss").series("train", new double[] {3, 2, 1.5});
    String svg = c.svg();
    assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assertTrue(svg.contains("loss &lt;by&gt; step"));
    assertFalse(svg.contains("<script"));
    assertEquals(640, c.png().getWidth());
  }

  @Test
  void progressShowsOnceThenUpdatesTheSameDisplay() {
    List<String> events = new ArrayList<>();
    DisplaySink previous = Display.sink();
    Display.useSink(new DisplaySink() {
      public void show(MimeBundle b, String id) { events.add("show " + id + " " + b.plainText()); }
      public void update(MimeBundle b, String id) { events.add("update " + id + " " + b.plainText()); }
      public void clear(boolean wait) { events.add("clear"); }
    });
    try {
      int seen = 0;
      Progress p = Display.progress("load", 4);
      for (int i : p) {
        seen++;
      }
      assertEquals(4, seen);
      assertEquals(4, p.done());
      assertTrue(events.get(0).startsWith("show " + p.displayId() + " load [---"), events.toString());
      String last = events.get(events.size() - 1);
      assertTrue(last.startsWith("update " + p.displayId() + " load [####"), last);
      assertTrue(last.contains("4/4 (100%)"), last);
    } finally {
      Display.useSink(previous);
    }
  }
}
