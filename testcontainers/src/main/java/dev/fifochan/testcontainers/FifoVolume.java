package dev.fifochan.testcontainers;

import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.lifecycle.Startable;

/**
 * A directory of FIFOs on the host, shared with containers through a bind mount, for tests of a
 * fifochan service against a peer (a "sidecar") in a container, or of two containers against each
 * other.
 *
 * <p>The volume creates a private directory (mode {@code 0700}) and the FIFOs in it, owned by the
 * user the container runs as, mounts the directory read-write into containers at
 * {@link #containerDirectory()} and deletes it again on {@link #stop()}. A test of a service on the
 * host against a sidecar container:
 *
 * <pre>{@code
 * try (FifoVolume fifos = FifoVolume.builder().fifos("requests", "replies").owner(1000, 1000).build();
 *      GenericContainer<?> sidecar = fifos.mountInto(new GenericContainer<>("my-sidecar:test"))
 *          .withCreateContainerCmdModifier(cmd -> cmd.withUser("1000:1000"))
 *          .withCommand("--in", fifos.containerPath("requests"), "--out", fifos.containerPath("replies"))) {
 *   sidecar.start();
 *   FifoOptions options = fifos.hostOptions(); // allowForeignOwner: the FIFOs are uid 1000's
 *   ChannelConfig config = ChannelConfig.defaults();
 *   try (Sender<Request> requests = Fifo.openSender(fifos.hostPath("requests"), requestCodec, config, options)) {
 *     requests.send(request);
 *     requests.flush();
 *     // A read end opens when the writer's first bytes arrive: open it after sending (or in another thread).
 *     try (Receiver<Reply> replies = Fifo.openReceiver(fifos.hostPath("replies"), replyCodec, config, options)) {
 *       Reply reply = replies.receive(Duration.ofSeconds(10));
 *       ...
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #mountInto} also makes the container {@linkplain GenericContainer#dependsOn depend on}
 * the volume, so with {@code @Testcontainers} and {@code @Container} fields the volume exists before
 * any container that uses it starts, and it is a {@link Startable} that such a field may hold itself.
 * Before such a container starts, {@link FifoDocker#require()} checks once per JVM that the Docker
 * daemon can carry FIFOs to it and that Testcontainers is configured for it; a problem fails the
 * start with a {@link DockerNotUsableException} (as the cause of Testcontainers' own exception)
 * saying what to change, instead of a bare {@code 404 network bridge not found} or a pull that stalls.
 *
 * <h2>Ownership and modes</h2>
 * fifochan refuses a FIFO owned by another user unless {@link FifoOptions#allowForeignOwner()}, and
 * a FIFO whose directory group or others may write to without the sticky bit. The volume therefore:
 * <ul>
 *   <li>without {@link Builder#owner owner(uid, gid)}: creates the directory and the FIFOs as the
 *       current user, FIFOs with {@link Builder#fifoMode fifoMode} (default {@code 0600}). Fits
 *       containers that run as the same uid as the test (Docker's default, root, when the tests run
 *       as root; or {@code --user $(id -u):$(id -g)}).</li>
 *   <li>with {@code owner(uid, gid)} when the test runs as root (or as that uid): the directory
 *       ({@link Builder#directoryMode directoryMode}, default {@code 0700}) and the FIFOs
 *       ({@code fifoMode}) belong to {@code uid:gid}, so the container's process owns them and opens
 *       them with the default checks; the test on the host opens them with {@code allowForeignOwner}
 *       ({@link #hostOptions}). A peer of another uid in group {@code gid} can share them with
 *       {@code fifoMode(0660)}, {@code directoryMode(0750)} and {@code allowForeignOwner}.</li>
 *   <li>with {@code owner(uid, gid)} when the test runs as another, unprivileged user (it cannot
 *       {@code chown}): the FIFOs stay the test user's with mode {@code 0666}, the directory gets
 *       {@code 0755} (nobody else may create or delete entries, so it passes the directory check).
 *       The container must open them with {@code allowForeignOwner} and cannot create FIFOs of its
 *       own there: create every FIFO it needs up front. {@link #ownerApplied()} is then false.</li>
 * </ul>
 *
 * <p>The host directory must be visible to the Docker daemon at the same path (a local daemon), which
 * is the case for the default parent, {@code java.io.tmpdir}.
 */
public final class FifoVolume implements Startable {
  /** Mode of the FIFOs when the owner cannot be given to the container's uid: read and write for all. */
  public static final int FALLBACK_FIFO_MODE = 0666;
  /** Where {@link #mountInto} mounts the directory unless told otherwise. */
  public static final String DEFAULT_CONTAINER_DIRECTORY = "/fifo";

  private final Path parent;
  private final List<String> names;
  private final int requestedMode;
  private final int directoryMode;
  private final int uid;
  private final int gid;
  private final String containerDirectory;
  private final int euid;

  private Path directory;
  private boolean ownerApplied;

  private FifoVolume(Builder b, int euid) {
    this.parent = b.parent;
    this.names = List.copyOf(b.names);
    this.requestedMode = b.fifoMode;
    this.directoryMode = b.directoryMode;
    this.uid = b.uid;
    this.gid = b.gid;
    this.containerDirectory = b.containerDirectory;
    this.euid = euid;
  }

  /** A volume with these FIFOs, owned by the current user with mode {@code 0600}, created now. */
  public static FifoVolume of(String... fifoNames) {
    return builder().fifos(fifoNames).build();
  }

  /** A builder; {@link Builder#build()} creates the directory and the FIFOs. */
  public static Builder builder() {
    return new Builder();
  }

  /** Creates the directory and the FIFOs if they do not exist (again, after {@link #stop()}). */
  @Override
  public synchronized void start() {
    if (directory != null) {
      return;
    }
    try {
      Files.createDirectories(parent);
      Path dir = Files.createTempDirectory(parent, "fifochan-");
      directory = dir;
      ownerApplied = uid < 0 || uid == euid || euid == 0;
      chmod(dir, ownerApplied ? directoryMode : 0755);
      if (ownerApplied && uid >= 0) {
        setOwner(dir);
      }
      for (String name : names) {
        createFifo(name);
      }
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException("cannot create the FIFO volume in " + parent, e);
    }
  }

  /** Deletes the directory and everything in it (FIFOs, and whatever containers created there). */
  @Override
  public synchronized void stop() {
    Path dir = directory;
    directory = null;
    if (dir != null) {
      try {
        deleteTree(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete the FIFO volume " + dir, e);
      }
    }
  }

  /**
   * Creates one more FIFO in the directory, with this volume's owner and mode, and returns its host
   * path. Name must be a plain file name.
   */
  public synchronized Path createFifo(String name) throws IOException {
    Path path = hostPath(name);
    Fifo.create(path, fifoMode());
    if (ownerApplied && uid >= 0) {
      setOwner(path);
    }
    return path;
  }

  /**
   * Bind-mounts the directory read-write into the container at {@link #containerDirectory()} and
   * makes the container depend on this volume (it starts the volume first). Returns the container.
   */
  public <C extends GenericContainer<?>> C mountInto(C container) {
    return mountInto(container, containerDirectory);
  }

  /** {@link #mountInto(GenericContainer)} at another path in the container. */
  public <C extends GenericContainer<?>> C mountInto(C container, String containerPath) {
    start();
    container.withFileSystemBind(hostDirectory().toString(), containerPath, BindMode.READ_WRITE);
    container.dependsOn(FifoDocker.CHECK, this);
    return container;
  }

  /** The directory on the host (the volume is started if it was not). */
  public synchronized Path hostDirectory() {
    start();
    return directory;
  }

  /** The host path of a FIFO in this volume. */
  public Path hostPath(String name) {
    return hostDirectory().resolve(checkName(name));
  }

  /** Where {@link #mountInto(GenericContainer)} mounts the directory. */
  public String containerDirectory() {
    return containerDirectory;
  }

  /** The path of a FIFO inside a container that mounted this volume with {@link #mountInto(GenericContainer)}. */
  public String containerPath(String name) {
    return (containerDirectory.endsWith("/") ? containerDirectory : containerDirectory + "/") + checkName(name);
  }

  /** The mode the FIFOs get: the requested one, or {@link #FALLBACK_FIFO_MODE} if the owner could not be applied. */
  public synchronized int fifoMode() {
    start();
    return ownerApplied ? requestedMode : FALLBACK_FIFO_MODE;
  }

  /**
   * Whether the FIFOs belong to the requested owner (always true without {@link Builder#owner}); false
   * when the test runs unprivileged as another uid and the fallback mode {@code 0666} applies.
   */
  public synchronized boolean ownerApplied() {
    start();
    return ownerApplied;
  }

  /** The uid that owns the FIFOs. */
  public synchronized int fifoOwnerUid() {
    start();
    return uid >= 0 && ownerApplied ? uid : euid;
  }

  /**
   * FIFO options for the test's own side of the FIFOs: {@code base} with {@code allowForeignOwner}
   * when the FIFOs belong to the container's uid rather than the test's, and without creating missing
   * FIFOs (a FIFO missing from the volume is a mistake, not something to create as the test's uid).
   */
  public FifoOptions hostOptions(FifoOptions base) {
    boolean foreign = fifoOwnerUid() != euid;
    return base.toBuilder().allowForeignOwner(base.allowForeignOwner() || foreign).createIfMissing(false).build();
  }

  /** {@link #hostOptions(FifoOptions)} of the default options. */
  public FifoOptions hostOptions() {
    return hostOptions(FifoOptions.defaults());
  }

  /**
   * Whether a peer running as {@code peerUid} (in a container) must open the FIFOs with
   * {@code allowForeignOwner}: true if they are not that uid's.
   */
  public boolean foreignTo(int peerUid) {
    return fifoOwnerUid() != peerUid;
  }

  @Override
  public String toString() {
    return "FifoVolume[" + (directory == null ? "not created" : directory) + " -> " + containerDirectory
        + ", fifos " + names + "]";
  }

  /** chown as root; as the owner uid itself only chgrp (allowed for a group the user is in). */
  private void setOwner(Path path) throws IOException {
    if (euid == 0 && uid != euid) {
      Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    }
    if ((Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS) != gid) {
      Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..") || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("not a plain file name: \"" + name + "\"");
    }
    return name;
  }

  /**
   * Exact mode, sticky bit included, whatever the umask: chmod(2) through the JDK's "unix" attribute
   * view (following links: the directory is new and ours).
   */
  private static void chmod(Path path, int mode) throws IOException {
    Files.setAttribute(path, "unix:mode", mode);
  }

  /** The effective uid of this process, from {@code /proc/self/status} (no native call needed). */
  static int effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.split("\\s+")[2]);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the effective uid from /proc/self/status: " + e, e);
    }
    throw new IllegalStateException("no Uid line in /proc/self/status");
  }

  private static void deleteTree(Path dir) throws IOException {
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          if (exc != null) {
            throw exc;
          }
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      // already gone
    }
  }

  /** Options of a {@link FifoVolume}. */
  public static final class Builder {
    private Path parent = Path.of(System.getProperty("java.io.tmpdir"));
    private final Set<String> names = new LinkedHashSet<>();
    private int fifoMode = Fifo.DEFAULT_MODE;
    private int directoryMode = 0700;
    private int uid = -1;
    private int gid = -1;
    private String containerDirectory = DEFAULT_CONTAINER_DIRECTORY;
    private int euid = -1;

    private Builder() {}

    /** FIFOs to create (plain names, no slashes). */
    public Builder fifos(String... fifoNames) {
      for (String n : fifoNames) {
        names.add(checkName(n));
      }
      return this;
    }

    /**
     * The uid and gid the container's process runs as (as in {@code --user uid:gid}): the directory
     * and the FIFOs are given to them (see the class documentation for unprivileged tests).
     */
    public Builder owner(int uid, int gid) {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("uid and gid must be >= 0");
      }
      this.uid = uid;
      this.gid = gid;
      return this;
    }

    /** Permission bits of the FIFOs, default {@code 0600} (use {@code 0660} to share through a group). */
    public Builder fifoMode(int mode) {
      if ((mode & ~0777) != 0) {
        throw new IllegalArgumentException("mode must be permission bits: 0" + Integer.toOctalString(mode));
      }
      this.fifoMode = mode;
      return this;
    }

    /**
     * Permission bits of the directory, default {@code 0700}. For peers of different uids sharing a
     * group, {@code 0750} (with {@link #fifoMode fifoMode(0660)}). fifochan refuses a directory that
     * group or others may write to unless it has the sticky bit ({@code 01770}), so such a mode is
     * refused here too.
     *
     * @throws IllegalArgumentException for a group- or world-writable mode without the sticky bit,
     *     or one that denies the owner rwx
     */
    public Builder directoryMode(int mode) {
      if ((mode & ~01777) != 0) {
        throw new IllegalArgumentException("mode must be permission bits and the sticky bit: 0" + Integer.toOctalString(mode));
      }
      if ((mode & 022) != 0 && (mode & 01000) == 0) {
        throw new IllegalArgumentException("fifochan refuses FIFOs in a directory that group or others may write to"
            + " without the sticky bit: 0" + Integer.toOctalString(mode) + " (use 0" + Integer.toOctalString(mode | 01000)
            + " or drop the write bits)");
      }
      if ((mode & 0700) != 0700) {
        throw new IllegalArgumentException("the owner needs rwx on the directory: 0" + Integer.toOctalString(mode));
      }
      this.directoryMode = mode;
      return this;
    }

    /** Where on the host the volume's directory is created, default {@code java.io.tmpdir}. */
    public Builder parent(Path directory) {
      this.parent = Objects.requireNonNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /** Where {@link FifoVolume#mountInto(GenericContainer)} mounts it, default {@code /fifo}. */
    public Builder containerDirectory(String path) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("container path must be absolute: " + path);
      }
      this.containerDirectory = path;
      return this;
    }

    /** For tests of this class: act as if the effective uid were this one. */
    Builder effectiveUid(int euid) {
      this.euid = euid;
      return this;
    }

    /** Creates the directory and the FIFOs. */
    public FifoVolume build() {
      FifoVolume v = new FifoVolume(this, euid >= 0 ? euid : FifoVolume.effectiveUid());
      v.start();
      return v;
    }
  }

  /** Names of the FIFOs created at start. */
  public List<String> fifoNames() {
    return new ArrayList<>(names);
  }
}
