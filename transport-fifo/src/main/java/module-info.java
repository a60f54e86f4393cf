/**
 * The FIFO (named pipe) transport of fifochan, for Linux: {@link dev.fifochan.fifo.Fifo},
 * {@link dev.fifochan.fifo.FifoOptions}, {@link dev.fifochan.fifo.FifoPair} and the transport's
 * exceptions. The native calls ({@code dev.fifochan.fifo.internal}, through jffi) are not exported.
 */
@SuppressWarnings("requires-automatic") // jffi has no module-info, only an Automatic-Module-Name
module dev.fifochan.fifo {
  requires transitive dev.fifochan;
  requires org.jnrproject.jffi; // jffi's Automatic-Module-Name; its native jar (org.jnrproject.jffi.nativelibs) holds only resources

  exports dev.fifochan.fifo;
}
