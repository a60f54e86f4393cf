package dev.fifochan.testcontainers;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * Run by {@link FifoDockerTest} in a child JVM whose environment the test chooses (Testcontainers
 * reads its variables from the environment only). Prints one line per throwable in the chain of what
 * failed: {@code THROWN <class> [reason] <message>}, or {@code OK <facts>}.
 *
 * <pre>
 * start   mount a FifoVolume into a container and start it, as a user's test would (the image does
 *         not exist: only a failing check keeps it from being pulled)
 * check   FifoDocker.require() alone
 * bare    Testcontainers' own client set-up, without the check (what a user would see without it)
 * </pre>
 */
public final class DockerCheckProbe {
  private DockerCheckProbe() {}

  public static void main(String[] args) {
    for (String mode : args) {
      System.out.println("MODE " + mode);
      try {
        switch (mode) {
          case "start":
            try (FifoVolume fifos = FifoVolume.of("requests", "replies");
                 GenericContainer<?> c = fifos.mountInto(new GenericContainer<>("fifochan-test/never-pulled:0"))
                     .withNetworkMode("none")) {
              c.start();
              System.out.println("OK started " + c.getContainerId());
            }
            break;
          case "check":
            System.out.println("OK " + FifoDocker.require());
            break;
          case "bare":
            System.out.println("OK " + DockerClientFactory.instance().client().infoCmd().exec().getKernelVersion());
            break;
          default:
            System.out.println("unknown mode " + mode);
            System.exit(2);
        }
      } catch (Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
          String reason = e instanceof DockerNotUsableException d ? " " + d.reason() : "";
          System.out.println("THROWN " + e.getClass().getName() + reason + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
      }
    }
    System.out.flush();
    Runtime.getRuntime().halt(0);
  }
}
