package dev.sapling.cli;

import dev.sapling.SaplingException;
import dev.sapling.notebook.JShellSession;
import dev.sapling.notebook.CellOutcome;
import dev.sapling.notebook.CellRunner;
import dev.sapling.notebook.Magics;
import dev.sapling.notebook.MavenArtifacts;
import dev.sapling.notebook.SaplingKernel;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./sapling script FILE.jsh}: runs a JShell script with the kernel's startup (imports, helpers, magics) in
 * this JVM. {@code display(...)} prints text; an error prints its traceback (with the script's line) to stderr and
 * exits 1.
 *
 * <pre>{@code
 * ./sapling script dsl-examples/tablesaw-tour.jsh
 * }</pre>
 */
public final class ScriptCommand extends Command {
  static final Flag<String> CLASSPATH = Flag.of("classpath", "PATHS", Flag.Type.TEXT,
      "more jars and folders for the script, separated as in java -cp");
  static final Flags FLAGS = Flags.of(CLASSPATH)
      .withPositionals(new Flags.Positional("FILE.jsh", "the script"))
      .withNotes("Runs FILE.jsh in JShell with the same startup as the Sapling kernel (Sapling, DJL and Tablesaw "
          + "imports;\ndisplay/render/progress helpers; %maven, %jars, %load... magics). Exit code 1 on the first "
          + "error.");

  ScriptCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    String classpath = args.optional(CLASSPATH).orElse("");
    Path file = Path.of(args.positional().get(0));
    if (!Files.isRegularFile(file)) {
      throw new SaplingException("script " + file.toAbsolutePath() + " does not exist");
    }
    System.setProperty("java.awt.headless", "true");
    String code = Files.readString(file, StandardCharsets.UTF_8);
    try (JShellSession session = JShellSession.start(classpath.isBlank() ? List.of() : List.of(classpath), List.of())) {
      boolean offline = Boolean.parseBoolean(SaplingKernel.env("SAPLING_KERNEL_MAVEN_OFFLINE", "false"));
      CellRunner runner = new CellRunner(session,
          new Magics(new MavenArtifacts(MavenArtifacts.defaultLocalRepository(), offline)));
      CellOutcome outcome = runner.run(code, file.getFileName().toString());
      System.out.flush();
      if (!outcome.ok()) {
        err.println(outcome.error().get().text());
        return 1;
      }
      return 0;
    }
  }
}
