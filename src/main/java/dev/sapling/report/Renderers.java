package dev.sapling.report;

import java.awt.image.RenderedImage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tech.tablesaw.api.Table;

/**
 * Turns any value into a {@link MimeBundle}: Tablesaw tables as HTML tables, images as PNG, {@link Renderable}s as
 * they choose, a String with explicit MIME types as that content (so {@code display(s, "text/html")} shows HTML),
 * arrays element by element, and everything else through {@code toString()}.
 *
 * <pre>{@code
 * Renderers.render("<b>hi</b>", "text/html").data();   // {text/html=<b>hi</b>, text/plain=<b>hi</b>}
 * }</pre>
 */
public final class Renderers {
  private Renderers() {}

  /** The bundle for {@code value}; when {@code mimeTypes} are given, only those (plus text/plain) are kept. */
  public static MimeBundle render(Object value, String... mimeTypes) {
    if (value instanceof CharSequence text && mimeTypes.length > 0) {
      Map<String, Object> data = new LinkedHashMap<>();
      for (String type : mimeTypes) {
        data.put(type, text.toString());
      }
      data.putIfAbsent("text/plain", text.toString());
      return new MimeBundle(data, Map.of());
    }
    return full(value).only(mimeTypes);
  }

  private static MimeBundle full(Object value) {
    if (value instanceof MimeBundle bundle) {
      return bundle;
    }
    if (value instanceof Renderable renderable) {
      return renderable.toMimeBundle();
    }
    if (value instanceof Table table) {
      return TableView.of(table).toMimeBundle();
    }
    if (value instanceof RenderedImage image) {
      return Images.png(image);
    }
    return MimeBundle.text(plain(value));
  }

  /** The plain text of a value: arrays show their elements, null shows "null". */
  public static String plain(Object value) {
    if (value == null) {
      return "null";
    }
    if (value.getClass().isArray()) {
      String deep = Arrays.deepToString(new Object[] {value});
      return deep.substring(1, deep.length() - 1);
    }
    return value.toString();
  }
}
