/**
 * A small application on the module path (ModulePathTest compiles and runs it in a child JVM): it
 * needs only what the fifochan modules export.
 */
module dev.fifochan.it.modapp {
  requires dev.fifochan.fifo; // and, transitively, dev.fifochan
  requires dev.fifochan.json; // and, transitively, com.fasterxml.jackson.databind

  opens dev.fifochan.it.modapp to com.fasterxml.jackson.databind; // the record Jackson binds
}
