package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors are one line with a documented exit code whatever layer fails, provoked for real through
 * the launcher: the JVM out of memory, a native library that cannot load, a jar that lacks classes.
 */
@Timeout(120)
class FatalErrorsIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);
  private static final String TABLE_START = ""
      + "    OFFSET  RECORD    FLAGS      LENGTH  TAG                       PAYLOAD\n"
      + "         0  preamble                                               codec=bytes version=1\n";

  @TempDir
  Path dir;

  @Test
  void outOfMemoryIsOneLineAndCannotRun() throws IOException {
    Path huge = JvmOutputIT.hugeFrame(dir);
    Launcher.Run r = Launcher.repo().javaOpts("-Xmx16m")
        .run(dir, LIMIT, "inspect", "--max-frame-length", "200000000", huge.toString());
    assertEquals(ExitCode.CANNOT_RUN.code(), r.exitCode(), r.toString());
    String line = Launcher.oneLine(r.err());
    assertTrue(line.startsWith("fifochan inspect: cannot run here: out of memory (Java heap space); give the JVM more"
        + " through FIFOCHAN_JAVA_OPTS, e.g. -Xmx"), line);
    assertEquals(TABLE_START, r.out(), "the table up to the huge frame, then nothing");
  }

  @Test
  void outOfMemoryWithVerboseAddsTheStackTrace() throws IOException {
    Path huge = JvmOutputIT.hugeFrame(dir);
    Launcher.Run r = Launcher.repo().javaOpts("-Xmx16m")
        .run(dir, LIMIT, "inspect", "--verbose", "--max-frame-length", "200000000", huge.toString());
    assertEquals(ExitCode.CANNOT_RUN.code(), r.exitCode(), r.toString());
    assertTrue(r.err().startsWith("fifochan inspect: cannot run here: out of memory"), r.err());
    assertTrue(r.err().contains("java.lang.OutOfMemoryError: Java heap space\n\tat "), r.err());
  }

  @Test
  void nativeLoaderThatCannotExtractItsLibraryIsOneLine() throws Exception {
    Path fifo = Jar.mkfifo(dir.resolve("f"));
    Launcher.Run r = Launcher.repo().javaOpts("-Djffi.extract.dir=" + dir.resolve("no-such-dir"))
        .run(dir, LIMIT, "recv", "--timeout", "5s", fifo.toString());
    assertEquals(ExitCode.CANNOT_RUN.code(), r.exitCode(), r.toString());
    String line = Launcher.oneLine(r.err());
    assertTrue(line.startsWith("fifochan recv: cannot run here: cannot load a native library: "), line);
    assertTrue(line.contains("-Djffi.extract.dir=DIR"), line);
    assertEquals("", r.out());
  }

  @Test
  void jarWithoutItsNativeStubsIsOneLine() throws Exception {
    Path launcher = installedWithout(name -> name.startsWith("jni/"));
    Path fifo = Jar.mkfifo(dir.resolve("f"));
    Launcher.Run r = Launcher.at(launcher).env("FIFOCHAN_CDS", "off")
        .run(dir, LIMIT, "recv", "--timeout", "5s", fifo.toString());
    assertEquals(ExitCode.CANNOT_RUN.code(), r.exitCode(), r.toString());
    String line = Launcher.oneLine(r.err());
    assertTrue(line.startsWith("fifochan recv: cannot run here: cannot load a native library: "), line);
    assertEquals("", r.out());
  }

  @Test
  void jarWithoutTheCommandLineLibraryIsOneLine() throws Exception {
    Path launcher = installedWithout(name -> name.startsWith("picocli/"));
    Launcher.Run r = Launcher.at(launcher).env("FIFOCHAN_CDS", "off").run(dir, LIMIT, "--version");
    assertEquals(ExitCode.CANNOT_RUN.code(), r.exitCode(), r.toString());
    String line = Launcher.oneLine(r.err());
    assertTrue(line.startsWith("fifochan: cannot run here: java.lang.NoClassDefFoundError: picocli/"), line);
    assertEquals("", r.out());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  /** An installation (bin/fifochan, lib/fifochan.jar) whose jar lacks the entries {@code drop} matches. */
  private Path installedWithout(Predicate<String> drop) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("install/bin"));
    Path lib = Files.createDirectories(dir.resolve("install/lib"));
    Path launcher = Files.copy(InProcess.repoRoot().resolve("bin/fifochan"), bin.resolve("fifochan"),
        StandardCopyOption.COPY_ATTRIBUTES);
    try (InputStream in = Files.newInputStream(Jar.path());
         ZipInputStream zin = new ZipInputStream(in);
         OutputStream out = Files.newOutputStream(lib.resolve("fifochan.jar"));
         ZipOutputStream zout = new ZipOutputStream(out)) {
      for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
        if (!drop.test(e.getName())) {
          zout.putNextEntry(new ZipEntry(e.getName()));
          zin.transferTo(zout);
          zout.closeEntry();
        }
      }
    }
    return launcher;
  }
}
