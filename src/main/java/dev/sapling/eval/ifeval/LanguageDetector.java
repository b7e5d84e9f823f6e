package dev.sapling.eval.ifeval;

import com.cybozu.labs.langdetect.Detector;
import com.cybozu.labs.langdetect.DetectorFactory;
import com.cybozu.labs.langdetect.LangDetectException;
import dev.sapling.SaplingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Language identification with Shuyo's language-detection library, the Java original that the reference's Python
 * {@code langdetect} was ported from: the same n-gram profiles and the same algorithm, here with a fixed random seed
 * so a verdict never changes between runs. Codes are ISO 639-1 ({@code en}, {@code de}, ...; {@code zh-cn}).
 *
 * <pre>{@code
 * LanguageDetector.detect("Das ist ein kurzer deutscher Satz.");   // Optional[de]
 * LanguageDetector.detect("1234 !!!");                              // Optional.empty: no letters to judge
 * }</pre>
 */
public final class LanguageDetector {
  private LanguageDetector() {}

  /** Profiles shipped inside the library's jar. */
  private static final List<String> LANGUAGES = List.of(
      "af", "ar", "bg", "bn", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "gu", "he", "hi", "hr", "hu",
      "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne", "nl", "no", "pa", "pl", "pt", "ro", "ru", "sk",
      "sl", "so", "sq", "sv", "sw", "ta", "te", "th", "tl", "tr", "uk", "ur", "vi", "zh-cn", "zh-tw");

  private static boolean loaded;

  /**
   * The most probable language of {@code text}, or empty when the text has no features to judge (the reference then
   * counts the instruction as followed).
   */
  public static synchronized Optional<String> detect(String text) {
    load();
    try {
      Detector detector = DetectorFactory.create();
      detector.append(text);
      return Optional.of(detector.detect());
    } catch (LangDetectException e) {
      return Optional.empty();
    }
  }

  private static void load() {
    if (loaded) {
      return;
    }
    List<String> profiles = new ArrayList<>();
    for (String lang : LANGUAGES) {
      String resource = "/profiles/" + lang;
      try (InputStream in = DetectorFactory.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new SaplingException("language profile " + resource + " is missing from the classpath; expected it in"
              + " the com.cybozu.labs:langdetect jar");
        }
        profiles.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new SaplingException("cannot read language profile " + resource + ": " + e.getMessage(), e);
      }
    }
    try {
      DetectorFactory.clear();
      DetectorFactory.loadProfile(profiles);
      DetectorFactory.setSeed(0L);
    } catch (LangDetectException e) {
      throw new SaplingException("cannot load language profiles: " + e.getMessage(), e);
    }
    loaded = true;
  }
}
