package dev.fifochan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code fifochan call} against {@code fifochan serve} (--echo, --exec) in separate processes over a FIFO pair. */
@Timeout(240)
class CallServeIT {
  private static final Duration LIMIT = Duration.ofSeconds(200);

  @TempDir
  Path dir;

  @Test
  void echoAnswersWithTheRequestFromTheArgumentAndFromStdin() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "\"$F\" serve --create --echo q.req q.rsp 2> serve.err & S=$!\n"
        + "\"$F\" call --create q.req q.rsp '{\"symbol\": \"ACME\", \"n\": 1.50}'; echo \"call $?\"\n"
        + "echo '[1,2,3]' | \"$F\" call q.req q.rsp; echo \"call $?\"\n"
        + "\"$F\" call --codec string q.req q.rsp hello; echo \"call $?\"\n" // codec mismatch: the handshake refuses
        + "kill -TERM $S; wait $S; echo \"serve $?\"; cat serve.err >&2\n");
    assertEquals("{\"symbol\": \"ACME\", \"n\": 1.50}\ncall 0\n[1,2,3]\ncall 0\ncall 73\nserve 143\n", r.out(), r.err());
    assertTrue(r.err().contains("fifochan call: 'call' failed with FAILED_PRECONDITION (9)"), r.err());
  }

  @Test
  void execRunsACommandPerCallAndMapsItsExitStatus() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 q.req q.rsp\n"
        + "\"$F\" serve --codec string --op upper,find,slow --exec '"
        + "case $FIFOCHAN_OP in upper) tr a-z A-Z;; find) echo \"no such thing\" >&2; exit 5;; slow) sleep 30;; esac'"
        + " q.req q.rsp 2> serve.err & S=$!\n"
        + "\"$F\" call --codec string --op upper q.req q.rsp 'hello world'; echo \"call $?\"\n"
        + "\"$F\" call --codec string --op find q.req q.rsp x; echo \"call $?\"\n"
        + "\"$F\" call --codec string --op nope q.req q.rsp x; echo \"call $?\"\n"
        + "\"$F\" call --codec string --op slow --deadline 1s q.req q.rsp x; echo \"call $?\"\n"
        + "kill -TERM $S; wait $S; cat serve.err >&2\n");
    assertEquals("HELLO WORLD\ncall 0\ncall 69\ncall 76\ncall 68\n", r.out(), r.err());
    assertTrue(r.err().contains("fifochan call: 'find' failed with NOT_FOUND (5) from the responder: no such thing\n"), r.err());
    assertTrue(r.err().contains("fifochan call: 'nope' failed with UNIMPLEMENTED (12) from the responder"), r.err());
    assertTrue(r.err().contains("fifochan call: 'slow' failed with DEADLINE_EXCEEDED (4)"), r.err());
  }

  @Test
  void onceServesOneClientAndServiceNamesMustAgree() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 q.req q.rsp\n"
        + "\"$F\" serve --once --service quotes --exec 'cat' q.req q.rsp & S=$!\n"
        + "\"$F\" call --service quotes q.req q.rsp '{\"ok\":true}'; echo \"call $?\"\n"
        + "wait $S; echo \"serve $?\"\n"
        + "\"$F\" serve --once --service quotes --echo q.req q.rsp 2> /dev/null & S=$!\n"
        + "\"$F\" call --service other q.req q.rsp '{}'; echo \"call $?\"\n"
        + "kill $S 2> /dev/null; wait $S\n");
    assertEquals("{\"ok\":true}\ncall 0\nserve 0\ncall 73\n", r.out(), r.err());
  }

  @Test
  void noResponderIsADeadlineAndABadRequestIsRefusedBeforeConnecting() throws Exception {
    Jar.Run r = Shell.run(dir, LIMIT, ""
        + "mkfifo -m 600 q.req q.rsp\n"
        + "\"$F\" call --deadline 1s q.req q.rsp '{}'; echo \"call $?\"\n"
        + "\"$F\" call q.req q.rsp '{broken'; echo \"call $?\"\n"
        + "printf '{}\\n{}\\n' | \"$F\" call q.req q.rsp; echo \"call $?\"\n");
    assertEquals("call 68\ncall 6\ncall 6\n", r.out(), r.err());
    assertTrue(r.err().contains("fifochan call: REQUEST: invalid JSON"), r.err());
    assertTrue(r.err().contains("fifochan call: stdin holds more than one request"), r.err());
  }
}
