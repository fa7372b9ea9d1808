/* tether-error.h: the TETHER_ERROR domain shared by every libtether call. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <glib.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TETHER_ERROR:
 *
 * Error domain for libtether. Errors in this domain are from the
 * #TetherError enumeration. File and socket errors stay in %G_IO_ERROR and
 * name lookup errors in %G_RESOLVER_ERROR.
 */
#define TETHER_ERROR (tether_error_quark ())

/**
 * TetherError:
 * @TETHER_ERROR_FAILED: generic failure
 * @TETHER_ERROR_HOST_KEY_UNKNOWN: the server's host key is not known and was not accepted
 * @TETHER_ERROR_HOST_KEY_CHANGED: the server's host key differs from the one on record
 * @TETHER_ERROR_AUTH_FAILED: every authentication method was tried and failed
 * @TETHER_ERROR_AUTH_CANCELLED: the user cancelled an authentication prompt
 * @TETHER_ERROR_DISCONNECTED: the connection ended
 * @TETHER_ERROR_PROTOCOL: the peer broke the SSH protocol
 * @TETHER_ERROR_CHANNEL_OPEN_FAILED: the peer refused to open a channel
 *   (see tether_error_get_open_reason())
 * @TETHER_ERROR_REQUEST_DENIED: the peer denied a request
 * @TETHER_ERROR_CONFIG: a configuration file or value is malformed
 * @TETHER_ERROR_TIMED_OUT: the peer did not answer in time
 *
 * Error codes of the %TETHER_ERROR domain.
 */
typedef enum {
  TETHER_ERROR_FAILED,
  TETHER_ERROR_HOST_KEY_UNKNOWN,
  TETHER_ERROR_HOST_KEY_CHANGED,
  TETHER_ERROR_AUTH_FAILED,
  TETHER_ERROR_AUTH_CANCELLED,
  TETHER_ERROR_DISCONNECTED,
  TETHER_ERROR_PROTOCOL,
  TETHER_ERROR_CHANNEL_OPEN_FAILED,
  TETHER_ERROR_REQUEST_DENIED,
  TETHER_ERROR_CONFIG,
  TETHER_ERROR_TIMED_OUT,
} TetherError;

TETHER_AVAILABLE_IN_ALL
GQuark tether_error_quark           (void);

TETHER_AVAILABLE_IN_ALL
guint  tether_error_get_open_reason (const GError *error);

G_END_DECLS
