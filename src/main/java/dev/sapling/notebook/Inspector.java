package dev.sapling.notebook;

import dev.sapling.report.Html;
import dev.sapling.report.MimeBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.VarSnippet;

/**
 * Answers "what is this?" for the name at the cursor — inspect requests (shift-tab) and {@code ?name} cells: the
 * signatures, with their Javadoc rendered to HTML when the sources are there, or a clear note when the JDK has no
 * {@code lib/src.zip}; a variable shows its type and value. Works with the cursor inside or at the end of a name.
 *
 * <pre>{@code
 * new Inspector(session).inspect("Math.max", 8);   // signatures of Math.max(...) and their docs
 * }</pre>
 */
final class Inspector {
  private static final Pattern NAME_CHAR = Pattern.compile("[\\p{javaJavaIdentifierPart}.]");
  private static final Pattern INLINE_TAG = Pattern.compile("\\{@(\\w+)\\s*([^}]*)}");

  private final JShellSession session;

  Inspector(JShellSession session) {
    this.session = session;
  }

  /** The documentation for the name around {@code cursor} in {@code code}, if anything is known about it. */
  Optional<MimeBundle> inspect(String code, int cursor) {
    String java = CellRunner.javaOnly(code);
    int end = Math.min(Math.max(cursor, 0), java.length());
    while (end < java.length() && Character.isJavaIdentifierPart(java.charAt(end))) {
      end++;
    }
    int start = end;
    while (start > 0 && NAME_CHAR.matcher(String.valueOf(java.charAt(start - 1))).matches()) {
      start--;
    }
    String name = java.substring(start, end).replaceAll("^\\.+|\\.+$", "");
    if (name.isEmpty()) {
      return Optional.empty();
    }
    return describe(name);
  }

  /** Documentation for a (possibly qualified) name such as {@code Math.max}, {@code String} or a variable. */
  Optional<MimeBundle> describe(String name) {
    SourceCodeAnalysis analysis = session.analysis();
    List<SourceCodeAnalysis.Documentation> docs = new ArrayList<>(analysis.documentation(name + "(", name.length() + 1, true));
    if (docs.isEmpty()) {
      docs.addAll(analysis.documentation(name, name.length(), true));
    }
    if (!docs.isEmpty()) {
      return Optional.of(render(docs));
    }
    for (VarSnippet v : session.variables()) {
      if (v.name().equals(name)) {
        String value = session.valueOf(v);
        return Optional.of(MimeBundle.html("<pre>" + Html.escape(v.typeName() + " " + v.name() + " = " + value) + "</pre>",
            v.typeName() + " " + v.name() + " = " + value));
      }
    }
    String type = analysis.analyzeType(name, name.length());
    if (type != null && !type.isBlank()) {
      return Optional.of(MimeBundle.html("<pre>" + Html.escape(name + " : " + type) + "</pre>", name + " : " + type));
    }
    return Optional.empty();
  }

  private static MimeBundle render(List<SourceCodeAnalysis.Documentation> docs) {
    StringBuilder html = new StringBuilder();
    StringBuilder plain = new StringBuilder();
    Set<String> seen = new LinkedHashSet<>();
    boolean anyJavadoc = false;
    for (SourceCodeAnalysis.Documentation d : docs) {
      if (!seen.add(d.signature())) {
        continue;
      }
      html.append("<pre><code>").append(Html.escape(d.signature())).append("</code></pre>\n");
      plain.append(d.signature()).append('\n');
      String javadoc = d.javadoc();
      if (javadoc != null && !javadoc.isBlank()) {
        anyJavadoc = true;
        html.append("<div class=\"javadoc\">").append(javadocToHtml(javadoc)).append("</div>\n");
        plain.append(javadocToText(javadoc)).append("\n\n");
      }
    }
    if (!anyJavadoc) {
      String note = missingSourcesNote();
      html.append("<p><em>").append(Html.escape(note)).append("</em></p>");
      plain.append(note);
    }
    return MimeBundle.html(html.toString().strip(), plain.toString().strip());
  }

  /** Why there is no Javadoc: names the JDK's missing src.zip when that is the reason. */
  static String missingSourcesNote() {
    Path srcZip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
    if (!Files.isReadable(srcZip)) {
      return "No Javadoc: this JDK has no readable " + srcZip
          + " (install the JDK source package, e.g. openjdk-17-source); signatures only.";
    }
    return "No Javadoc found in the sources on the classpath; signatures only.";
  }

  /** Javadoc comment text to HTML: inline tags become code, block tags a definition list. */
  static String javadocToHtml(String javadoc) {
    String[] parts = javadoc.strip().split("\n(?=\\s*@\\w)");
    StringBuilder html = new StringBuilder(inline(parts[0], true));
    if (parts.length > 1) {
      html.append("\n<dl>");
      for (int i = 1; i < parts.length; i++) {
        Matcher tag = Pattern.compile("(?s)\\s*@(\\w+)\\s*(.*)").matcher(parts[i]);
        if (!tag.matches()) {
          continue;
        }
        String body = tag.group(2).strip();
        switch (tag.group(1)) {
          case "param", "throws", "exception" -> {
            int space = body.indexOf(' ');
            String what = space < 0 ? body : body.substring(0, space);
            String rest = space < 0 ? "" : body.substring(space + 1);
            html.append("<dt>").append(tag.group(1)).append(" <code>").append(Html.escape(what)).append("</code></dt><dd>")
                .append(inline(rest, true)).append("</dd>");
          }
          default -> html.append("<dt>").append(Html.escape(tag.group(1))).append("</dt><dd>")
              .append(inline(body, true)).append("</dd>");
        }
      }
      html.append("</dl>");
    }
    return html.toString();
  }

  /** Javadoc comment text to plain text: tags dropped, inline code kept as text. */
  static String javadocToText(String javadoc) {
    return inline(javadoc.strip(), false).replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&amp;", "&");
  }

  private static String inline(String text, boolean html) {
    Matcher m = INLINE_TAG.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String tag = m.group(1);
      String body = m.group(2).strip();
      if (tag.startsWith("link")) {
        int space = body.indexOf(' ');
        body = space < 0 ? body.replace('#', '.') : body.substring(space + 1);
      }
      String replacement = switch (tag) {
        case "literal" -> html ? Html.escape(body) : body;
        default -> html ? "<code>" + Html.escape(body) + "</code>" : body;
      };
      m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
