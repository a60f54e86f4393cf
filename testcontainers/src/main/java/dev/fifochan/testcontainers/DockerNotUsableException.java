package dev.fifochan.testcontainers;

import java.util.List;
import java.util.Objects;

/**
 * The Docker daemon that Testcontainers would use cannot serve a {@link FifoVolume}: none answers,
 * Testcontainers needs configuration for it, or it runs where a FIFO on this host cannot reach its
 * containers. Thrown by {@link FifoDocker#require()}, and as the cause of the exception that
 * {@code GenericContainer.start()} throws for a container that {@link FifoVolume#mountInto mounts} a
 * volume. The message says what was found and what to change.
 */
public final class DockerNotUsableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** What is wrong. */
  public enum Reason {
    /** No Docker daemon answers (at {@code DOCKER_HOST}, or wherever Testcontainers looked). */
    NO_DAEMON,
    /**
     * A daemon answers, but Testcontainers must be configured for it first:
     * {@link #missingVariables()} lists the environment variables to set.
     */
    NEEDS_CONFIGURATION,
    /**
     * The daemon runs on another kernel or machine (Docker Desktop's VM on macOS, Windows or Linux, a
     * remote daemon), or this JVM does not run on Linux: a FIFO cannot connect processes across that
     * boundary.
     */
    CANNOT_CARRY_FIFOS
  }

  private final Reason reason;
  private final String endpoint;
  private final String found;
  private final String remedy;
  private final List<String> missingVariables;

  /**
   * @param reason what is wrong
   * @param endpoint the daemon's address as configured or found (may be null if unknown)
   * @param found what was found, one sentence
   * @param remedy what to change, one or more sentences
   * @param missingVariables environment variables to set, as {@code NAME=value} (empty unless
   *     {@link Reason#NEEDS_CONFIGURATION})
   * @param cause the underlying failure, if any
   */
  public DockerNotUsableException(Reason reason, String endpoint, String found, String remedy,
      List<String> missingVariables, Throwable cause) {
    super(cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.endpoint = endpoint;
    this.found = Objects.requireNonNull(found, "found");
    this.remedy = Objects.requireNonNull(remedy, "remedy");
    this.missingVariables = List.copyOf(missingVariables);
  }

  /** What is wrong. */
  public Reason reason() {
    return reason;
  }

  /** The daemon's address ({@code unix:///var/run/docker.sock}, {@code tcp://...}), or null if unknown. */
  public String endpoint() {
    return endpoint;
  }

  /** Environment variables to set for Testcontainers, as {@code NAME=value}; empty unless {@link Reason#NEEDS_CONFIGURATION}. */
  public List<String> missingVariables() {
    return missingVariables;
  }

  /** What was found, without the remedy. */
  public String found() {
    return found;
  }

  /** What to change. */
  public String remedy() {
    return remedy;
  }

  @Override
  public String getMessage() {
    String what;
    switch (reason) {
      case NO_DAEMON:
        what = "no Docker daemon answers";
        break;
      case NEEDS_CONFIGURATION:
        what = "Testcontainers needs configuration for this Docker daemon";
        break;
      default:
        what = "FIFOs cannot cross between this JVM and the Docker daemon's containers";
    }
    return "fifochan FifoVolume: " + what + (endpoint == null ? "" : " (" + endpoint + ")") + ": " + found + " " + remedy;
  }
}
