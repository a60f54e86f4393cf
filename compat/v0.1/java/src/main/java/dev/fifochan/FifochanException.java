package dev.fifochan;

import java.io.IOException;

/**
 * Root of every failure fifochan reports. Subclasses are named after the failure; catch this type to
 * handle them all.
 */
public class FifochanException extends IOException {
  private static final long serialVersionUID = 1L;

  public FifochanException(String message) {
    super(message);
  }

  public FifochanException(String message, Throwable cause) {
    super(message, cause);
  }
}
