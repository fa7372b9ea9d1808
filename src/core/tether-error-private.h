/* tether-error-private.h: making TETHER_ERROR errors that carry more than a message. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A %TETHER_ERROR_CHANNEL_OPEN_FAILED error keeping the RFC 4254 reason code. */
GError *_tether_error_new_open_failed (guint       reason,
                                       const char *message);

G_END_DECLS
