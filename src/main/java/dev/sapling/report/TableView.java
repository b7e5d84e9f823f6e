package dev.sapling.report;

import java.util.ArrayList;
import java.util.List;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Shows a Tablesaw {@link Table} in a notebook: escaped HTML with the column types under the names, the first and
 * last rows of a long table with an elision row between them, and an aligned plain-text version.
 *
 * <pre>{@code
 * MimeBundle b = TableView.of(table).rows(5).toMimeBundle();   // head 5 + tail 5
 * }</pre>
 *
 * @param table the table to show
 * @param edgeRows how many rows to show at the head and at the tail when the table is longer than twice that
 */
public record TableView(Table table, int edgeRows) implements Renderable {
  /** Default: 10 head rows and 10 tail rows. */
  public static TableView of(Table table) {
    return new TableView(table, 10);
  }

  /** The same table with {@code n} head and tail rows. */
  public TableView rows(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("rows(n) needs n >= 1; got " + n);
    }
    return new TableView(table, n);
  }

  /** Row indices shown, with -1 marking the elision between head and tail. */
  List<Integer> shownRows() {
    int n = table.rowCount();
    List<Integer> rows = new ArrayList<>();
    if (n <= 2 * edgeRows) {
      for (int i = 0; i < n; i++) {
        rows.add(i);
      }
      return rows;
    }
    for (int i = 0; i < edgeRows; i++) {
      rows.add(i);
    }
    rows.add(-1);
    for (int i = n - edgeRows; i < n; i++) {
      rows.add(i);
    }
    return rows;
  }

  @Override
  public MimeBundle toMimeBundle() {
    return MimeBundle.html(html(), plain());
  }

  /** The HTML representation; every cell value and name is escaped. */
  public String html() {
    List<Column<?>> columns = table.columns();
    StringBuilder sb = new StringBuilder();
    sb.append("<table class=\"sapling-table\">\n<caption>")
        .append(Html.escape(caption()))
        .append("</caption>\n<thead><tr>");
    for (Column<?> c : columns) {
      sb.append("<th>").append(Html.escape(c.name()))
          .append("<br><small>").append(Html.escape(c.type().name())).append("</small></th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (int row : shownRows()) {
      sb.append("<tr>");
      if (row < 0) {
        for (int i = 0; i < columns.size(); i++) {
          sb.append("<td>&hellip;</td>");
        }
      } else {
        for (Column<?> c : columns) {
          sb.append("<td>").append(Html.escape(cell(c, row))).append("</td>");
        }
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>");
    return sb.toString();
  }

  /** The plain-text representation: caption, a header line with types, aligned rows. */
  public String plain() {
    List<Column<?>> columns = table.columns();
    List<String[]> lines = new ArrayList<>();
    String[] names = new String[columns.size()];
    String[] types = new String[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      names[i] = columns.get(i).name();
      types[i] = columns.get(i).type().name();
    }
    lines.add(names);
    lines.add(types);
    for (int row : shownRows()) {
      String[] cells = new String[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        cells[i] = row < 0 ? "..." : cell(columns.get(i), row);
      }
      lines.add(cells);
    }
    int[] width = new int[columns.size()];
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        width[i] = Math.max(width[i], line[i].length());
      }
    }
    StringBuilder sb = new StringBuilder(caption()).append('\n');
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        sb.append(i == 0 ? "" : "  ").append(String.format("%-" + Math.max(1, width[i]) + "s", line[i]));
      }
      sb.append('\n');
    }
    return sb.toString().stripTrailing();
  }

  private String caption() {
    String name = table.name() == null || table.name().isBlank() ? "table" : table.name();
    return name + ": " + table.rowCount() + " rows \u00d7 " + table.columnCount() + " columns";
  }

  private static String cell(Column<?> column, int row) {
    return column.isMissing(row) ? "" : column.getString(row);
  }
}
