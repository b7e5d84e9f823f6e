package dev.sapling.report;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Encodes images for notebooks: a {@link RenderedImage} (such as a {@code BufferedImage}) becomes {@code image/png}.
 *
 * <pre>{@code
 * MimeBundle b = Images.png(new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB));
 * }</pre>
 */
public final class Images {
  private Images() {}

  /** PNG bytes of {@code image}. */
  public static byte[] pngBytes(RenderedImage image) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", bytes)) {
        throw new IllegalStateException("no PNG writer accepts this image (" + image.getClass().getName() + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode the image as PNG", e);
    }
    return bytes.toByteArray();
  }

  /** A bundle with {@code image/png} (Base64), the pixel size as metadata, and a text/plain description. */
  public static MimeBundle png(RenderedImage image) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("image/png", Base64.getEncoder().encodeToString(pngBytes(image)));
    data.put("text/plain", "<image " + image.getWidth() + "x" + image.getHeight() + ">");
    Map<String, Object> size = new LinkedHashMap<>();
    size.put("width", image.getWidth());
    size.put("height", image.getHeight());
    return new MimeBundle(data, Map.of("image/png", size));
  }
}
