/* tether-error.c: the TETHER_ERROR domain.
 *
 * An extended error domain (GLib 2.68): an error of the domain carries the
 * reason code of a refused channel open (RFC 4254 section 5.1) beside its
 * message, copied with the error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tether-error.h"
#include "tether-error-private.h"

typedef struct
{
  guint open_reason;
} TetherErrorPrivate;

/* Where GLib puts an extended error's private data: just before the GError, aligned as
 * G_DEFINE_EXTENDED_ERROR's _get_private () computes it. */
static TetherErrorPrivate *
error_get_private (const GError *error)
{
  const gsize align = 2 * sizeof (gsize);
  const gsize size = (sizeof (TetherErrorPrivate) + (align - 1)) & -align;

  return (TetherErrorPrivate *) (((guint8 *) error) - size);
}

/* Not G_DEFINE_EXTENDED_ERROR: it would name the quark "TetherError-quark",
 * and the domain's name is part of the API (bindings match errors by it). */
static void
error_init (GError *error)
{
  TetherErrorPrivate *priv = error_get_private (error);

  priv->open_reason = 0;
}

static void
error_copy (const GError *src,
            GError       *dest)
{
  const TetherErrorPrivate *from = error_get_private (src);
  TetherErrorPrivate *to = error_get_private (dest);

  to->open_reason = from->open_reason;
}

static void
error_clear (GError *error)
{
  /* nothing owned */
}

/**
 * tether_error_quark:
 *
 * Gets the error domain of libtether, %TETHER_ERROR, registered as
 * `tether-error-quark`.
 *
 * Returns: the quark of the domain
 */
GQuark
tether_error_quark (void)
{
  static GQuark quark = 0;
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    quark = g_error_domain_register_static ("tether-error-quark",
                                            sizeof (TetherErrorPrivate),
                                            error_init, error_copy, error_clear);
    g_once_init_leave (&once, 1);
  }
  return quark;
}

GError *
_tether_error_new_open_failed (guint       reason,
                               const char *message)
{
  GError *error = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_CHANNEL_OPEN_FAILED, message);
  TetherErrorPrivate *priv = error_get_private (error);

  priv->open_reason = reason;
  return error;
}

/* The last "(... N)" of @message: bindings such as PyGObject hand back a copy of an error
 * that keeps only its domain, code and message. */
static guint
reason_from_message (const char *message)
{
  const char *close = strrchr (message, ')');
  const char *p = close;

  if (close == NULL)
    return 0;
  while (p > message && g_ascii_isdigit (p[-1]))
    p--;
  if (p == close || p == message || (p[-1] != ' ' && p[-1] != '('))
    return 0;
  return (guint) strtoul (p, NULL, 10);
}

/**
 * tether_error_get_open_reason:
 * @error: a #GError
 *
 * The reason code the server gave when it refused to open a channel
 * (RFC 4254 section 5.1): 1 administratively prohibited, 2 connect failed,
 * 3 unknown channel type, 4 resource shortage; other values as the server
 * sent them.
 *
 * Returns: the reason code of a %TETHER_ERROR_CHANNEL_OPEN_FAILED error, or
 *   0 for any other error
 */
guint
tether_error_get_open_reason (const GError *error)
{
  TetherErrorPrivate *priv;

  g_return_val_if_fail (error != NULL, 0);

  if (!g_error_matches (error, TETHER_ERROR, TETHER_ERROR_CHANNEL_OPEN_FAILED))
    return 0;
  priv = error_get_private (error);
  if (priv->open_reason != 0)
    return priv->open_reason;
  return reason_from_message (error->message);
}
