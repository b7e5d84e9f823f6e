package dev.sapling.notebook;

import dev.sapling.SaplingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * Resolves {@code group:artifact:version} with its runtime dependencies through Maven Resolver (the library Maven
 * itself uses; no Ivy), from the local repository first and from Maven Central only when something is missing there
 * and {@code offline} is off.
 *
 * <pre>{@code
 * List<Path> jars = new MavenArtifacts(MavenArtifacts.defaultLocalRepository(), false)
 *     .resolve("org.apache.commons:commons-lang3:3.14.0");
 * }</pre>
 *
 * @param localRepository the local repository folder (normally {@code ~/.m2/repository})
 * @param offline never touch the network
 */
public record MavenArtifacts(Path localRepository, boolean offline) {
  private static final RemoteRepository CENTRAL =
      new RemoteRepository.Builder("central", "default", "https://repo.maven.apache.org/maven2/").build();

  /** {@code SAPLING_KERNEL_M2_REPO}, else {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}. */
  public static Path defaultLocalRepository() {
    String fromEnv = System.getenv("SAPLING_KERNEL_M2_REPO");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    String fromProperty = System.getProperty("maven.repo.local");
    if (fromProperty != null && !fromProperty.isBlank()) {
      return Path.of(fromProperty);
    }
    return Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  /** The jar files of {@code coordinates} and its runtime dependencies, local copies first. */
  public List<Path> resolve(String coordinates) {
    DefaultArtifact artifact;
    try {
      artifact = new DefaultArtifact(coordinates.strip());
    } catch (IllegalArgumentException e) {
      throw new SaplingException("%maven: '" + coordinates + "' is not group:artifact:version (" + e.getMessage() + ")");
    }
    RepositorySystem system = new RepositorySystemSupplier().get();
    try {
      return resolve(system, artifact, true);
    } catch (DependencyResolutionException offlineFailure) {
      if (offline) {
        throw new SaplingException("%maven: " + coordinates + " is not complete in " + localRepository
            + " and offline mode is on (SAPLING_KERNEL_MAVEN_OFFLINE); " + offlineFailure.getMessage(), offlineFailure);
      }
      try {
        return resolve(system, artifact, false);
      } catch (DependencyResolutionException e) {
        throw new SaplingException("%maven: could not resolve " + coordinates + " from " + localRepository
            + " or Maven Central: " + e.getMessage(), e);
      }
    } finally {
      system.shutdown();
    }
  }

  private List<Path> resolve(RepositorySystem system, DefaultArtifact artifact, boolean localOnly)
      throws DependencyResolutionException {
    try (RepositorySystemSession.CloseableSession session = system.createSessionBuilder()
        .withLocalRepositoryBaseDirectories(localRepository)
        .setOffline(localOnly)
        .setSystemProperties(System.getProperties())
        .build()) {
      CollectRequest collect = new CollectRequest(new Dependency(artifact, JavaScopes.RUNTIME), List.of(CENTRAL));
      DependencyRequest request =
          new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
      List<Path> jars = new ArrayList<>();
      for (ArtifactResult result : system.resolveDependencies(session, request).getArtifactResults()) {
        jars.add(result.getArtifact().getPath());
      }
      return jars;
    }
  }
}
