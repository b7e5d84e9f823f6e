package dev.sapling.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One displayable value in several representations, keyed by MIME type — what a notebook shows for a cell output.
 * Every bundle carries {@code text/plain}, so a script or a terminal can always print it.
 *
 * <pre>{@code
 * MimeBundle b = MimeBundle.html("<b>ready</b>", "ready");
 * b.data().get("text/html");   // "<b>ready</b>"
 * }</pre>
 *
 * @param data MIME type to content: a String for text types, Base64 text for binary types such as image/png
 * @param metadata per-type metadata (for example {@code image/png -> {width: 640}}), possibly empty
 */
public record MimeBundle(Map<String, Object> data, Map<String, Object> metadata) {
  public MimeBundle {
    if (!data.containsKey("text/plain")) {
      throw new IllegalArgumentException("a MimeBundle needs a text/plain entry; got only " + data.keySet());
    }
    data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** A plain-text bundle. */
  public static MimeBundle text(String text) {
    return new MimeBundle(Map.of("text/plain", text), Map.of());
  }

  /** An HTML bundle with its plain-text fallback. */
  public static MimeBundle html(String html, String plain) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("text/html", html);
    data.put("text/plain", plain);
    return new MimeBundle(data, Map.of());
  }

  /** The plain-text representation. */
  public String plainText() {
    return String.valueOf(data.get("text/plain"));
  }

  /** This bundle with one more representation. */
  public MimeBundle with(String mimeType, Object content) {
    Map<String, Object> copy = new LinkedHashMap<>(data);
    copy.put(mimeType, content);
    return new MimeBundle(copy, metadata);
  }

  /** This bundle restricted to {@code mimeTypes} (text/plain is always kept as the fallback). */
  public MimeBundle only(String... mimeTypes) {
    if (mimeTypes.length == 0) {
      return this;
    }
    Map<String, Object> kept = new LinkedHashMap<>();
    for (String type : mimeTypes) {
      if (data.containsKey(type)) {
        kept.put(type, data.get(type));
      }
    }
    kept.putIfAbsent("text/plain", data.get("text/plain"));
    return new MimeBundle(kept, metadata);
  }
}
