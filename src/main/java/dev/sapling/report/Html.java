package dev.sapling.report;

/** HTML escaping for text placed into generated markup. Example: {@code Html.escape("a<b")} is {@code "a&lt;b"}. */
public final class Html {
  private Html() {}

  /** Escapes the five characters that can break out of HTML text or a quoted attribute. */
  public static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
