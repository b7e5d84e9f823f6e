package dev.sapling.cli;

import dev.sapling.notebook.KernelSpecInstaller;
import dev.sapling.notebook.SaplingKernel;
import dev.sapling.notebook.Startup;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./sapling kernel install|run|startup}: installs the {@code sapling} kernelspec, runs the kernel for Jupyter,
 * or prints the startup imports for a plain {@code jshell}.
 *
 * <pre>{@code
 * ./sapling kernel install --user --jvm-opts "-Xmx8g"
 * ./sapling kernel install --prefix /tmp/jp            # -> /tmp/jp/share/jupyter/kernels/sapling
 * }</pre>
 */
public final class KernelCommand extends Command {
  static final Flag<Boolean> USER = Flag.toggle("user", "into the user's Jupyter data folder (the default)");
  static final Flag<Path> PREFIX = Flag.of("prefix", "DIR", Flag.Type.PATH,
      "into DIR/share/jupyter/kernels/sapling instead");
  static final Flag<String> JVM_OPTS = Flag.of("jvm-opts", "\"FLAGS\"", Flag.Type.TEXT,
      "JVM flags of the kernel (default: $SAPLING_KERNEL_JVM_OPTS)");
  static final Flag<List<String>> ENV = Flag.of("env", "NAME=VALUE", Flag.Type.NAME_VALUE,
      "an environment variable of the kernel").repeatable();
  static final Flags FLAGS = Flags.ofSubcommands("kernel subcommand", List.of(
          new Flags.Subcommand("install", "write the kernelspec 'sapling' (--user or --prefix, not both)",
              Flags.of(USER, PREFIX, JVM_OPTS, ENV)),
          new Flags.Subcommand("run", "run the kernel for Jupyter", Flags.of().withPositionals(
              new Flags.Positional("CONNECTION_FILE", "the connection file Jupyter passes"))),
          new Flags.Subcommand("startup", "print the startup imports, for jshell --startup", Flags.of())))
      .withNotes("The kernel reads SAPLING_KERNEL_CLASSPATH, SAPLING_KERNEL_COMPILER_OPTS, "
          + "SAPLING_KERNEL_STARTUP_SCRIPT,\nSAPLING_KERNEL_MAVEN_OFFLINE and SAPLING_KERNEL_M2_REPO; it binds to "
          + "loopback only.");

  KernelCommand() {
    super(FLAGS);
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    switch (args.subcommand()) {
      case "install" -> {
        boolean user = args.get(USER);
        Path prefix = args.optional(PREFIX).orElse(null);
        if (user && prefix != null) {
          throw new CliUsageException("--user and --prefix exclude each other");
        }
        String jvmOpts = args.optional(JVM_OPTS).orElse(SaplingKernel.env("SAPLING_KERNEL_JVM_OPTS", ""));
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : args.get(ENV)) {
          int eq = pair.indexOf('=');
          env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        List<String> flags = jvmOpts.isBlank() ? List.of() : List.of(jvmOpts.trim().split("\\s+"));
        Path dir = KernelSpecInstaller.target(prefix, user);
        Path spec = new KernelSpecInstaller(KernelSpecInstaller.findTemplateDir(), flags, env).install(dir);
        err.println("installed kernelspec '" + KernelSpecInstaller.NAME + "' (" + (flags.isEmpty() ? "no JVM flags"
            : "JVM flags " + String.join(" ", flags)) + ")");
        out.println(spec.getParent());
        return 0;
      }
      case "run" -> {
        // kernel logs must keep going to the real stderr after System.err is routed to the notebook
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
        System.setProperty("java.awt.headless", "true");
        return SaplingKernel.run(Path.of(args.positional().get(0)));
      }
      case "startup" -> {
        out.print(Startup.script(System.getProperty("java.class.path")));
        return 0;
      }
      default -> throw new IllegalStateException("no kernel subcommand '" + args.subcommand() + "'");
    }
  }
}
