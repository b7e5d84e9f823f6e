package dev.sapling.cli;

import dev.sapling.notebook.KernelSpecInstaller;
import dev.sapling.notebook.SaplingKernel;
import dev.sapling.notebook.Startup;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./sapling kernel install|run|startup}: installs the {@code sapling} kernelspec, runs the kernel for Jupyter,
 * or prints the startup imports for a plain {@code jshell}.
 *
 * <pre>{@code
 * ./sapling kernel install --user --jvm-opts "-Xmx8g"
 * ./sapling kernel install --prefix /tmp/jp            # -> /tmp/jp/share/jupyter/kernels/sapling
 * }</pre>
 */
public final class KernelCommand implements Command {
  @Override
  public String name() {
    return "kernel";
  }

  @Override
  public String summary() {
    return "install or run the Sapling Jupyter kernel";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: sapling kernel install [--user | --prefix DIR] [--jvm-opts \"FLAGS\"] [--env NAME=VALUE]...",
        "       sapling kernel run CONNECTION_FILE",
        "       sapling kernel startup            (prints the startup imports, for jshell --startup)",
        "",
        "install writes the kernelspec 'sapling' to DIR/share/jupyter/kernels/sapling (--prefix) or to the user's",
        "Jupyter data folder (--user, the default). --jvm-opts defaults to $SAPLING_KERNEL_JVM_OPTS.",
        "The kernel reads SAPLING_KERNEL_CLASSPATH, SAPLING_KERNEL_COMPILER_OPTS, SAPLING_KERNEL_STARTUP_SCRIPT,",
        "SAPLING_KERNEL_MAVEN_OFFLINE and SAPLING_KERNEL_M2_REPO; it binds to loopback only.");
  }

  @Override
  public Set<String> switches() {
    return Set.of("user");
  }

  @Override
  public int run(Args args, PrintStream out, PrintStream err) throws Exception {
    List<String> words = args.positional();
    if (words.isEmpty()) {
      throw new CliUsageException("kernel needs a subcommand: install, run or startup");
    }
    switch (words.get(0)) {
      case "install" -> {
        boolean user = args.flag("user");
        Path prefix = args.path("prefix").orElse(null);
        if (user && prefix != null) {
          throw new CliUsageException("--user and --prefix exclude each other");
        }
        String jvmOpts = args.string("jvm-opts").orElse(SaplingKernel.env("SAPLING_KERNEL_JVM_OPTS", ""));
        Map<String, String> env = new LinkedHashMap<>();
        for (String pair : args.strings("env")) {
          int eq = pair.indexOf('=');
          if (eq <= 0) {
            throw new CliUsageException("--env expects NAME=VALUE; got '" + pair + "'");
          }
          env.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        args.requireAllKnown();
        List<String> flags = jvmOpts.isBlank() ? List.of() : List.of(jvmOpts.trim().split("\\s+"));
        Path dir = KernelSpecInstaller.target(prefix, user);
        Path spec = new KernelSpecInstaller(KernelSpecInstaller.findTemplateDir(), flags, env).install(dir);
        err.println("installed kernelspec '" + KernelSpecInstaller.NAME + "' (" + (flags.isEmpty() ? "no JVM flags"
            : "JVM flags " + String.join(" ", flags)) + ")");
        out.println(spec.getParent());
        return 0;
      }
      case "run" -> {
        args.requireAllKnown();
        if (words.size() != 2) {
          throw new CliUsageException("kernel run needs exactly one CONNECTION_FILE");
        }
        // kernel logs must keep going to the real stderr after System.err is routed to the notebook
        System.setProperty("org.slf4j.simpleLogger.cacheOutputStream", "true");
        System.setProperty("java.awt.headless", "true");
        return SaplingKernel.run(Path.of(words.get(1)));
      }
      case "startup" -> {
        args.requireAllKnown();
        out.print(Startup.script(System.getProperty("java.class.path")));
        return 0;
      }
      default -> throw new CliUsageException("unknown kernel subcommand '" + words.get(0)
          + "'; expected install, run or startup");
    }
  }
}
