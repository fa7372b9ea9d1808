/* tether-channel.h: one SSH channel (RFC 4254) as a GIOStream. */
#pragma once

#if !defined(TETHER_INSIDE) && !defined(TETHER_COMPILATION)
# error "Only <tether.h> can be included directly."
#endif

#include <gio/gio.h>

#include "tether-version.h"

G_BEGIN_DECLS

/**
 * TetherChannelState:
 * @TETHER_CHANNEL_STATE_OPEN: data flows
 * @TETHER_CHANNEL_STATE_CLOSING: a close was sent, the peer's is awaited
 * @TETHER_CHANNEL_STATE_CLOSED: the channel is gone
 *
 * The life of a channel. Channels exist only once the peer accepted them.
 */
typedef enum {
  TETHER_CHANNEL_STATE_OPEN,
  TETHER_CHANNEL_STATE_CLOSING,
  TETHER_CHANNEL_STATE_CLOSED,
} TetherChannelState;

typedef struct _TetherConnection TetherConnection;

#define TETHER_TYPE_CHANNEL (tether_channel_get_type ())
TETHER_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (TetherChannel, tether_channel, TETHER, CHANNEL, GIOStream)

/**
 * TetherChannelClass:
 *
 * The class of #TetherChannel.
 */
struct _TetherChannelClass
{
  GIOStreamClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

TETHER_AVAILABLE_IN_ALL
TetherConnection   *tether_channel_get_connection      (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
const char         *tether_channel_get_channel_type    (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
TetherChannelState  tether_channel_get_state           (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_channel_get_local_window    (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_channel_get_remote_window   (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint64             tether_channel_get_bytes_sent      (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint64             tether_channel_get_bytes_received  (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint64             tether_channel_get_queued_bytes    (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
const char         *tether_channel_get_connected_address  (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_channel_get_connected_port     (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
const char         *tether_channel_get_originator_address (TetherChannel *self);
TETHER_AVAILABLE_IN_ALL
guint               tether_channel_get_originator_port    (TetherChannel *self);

TETHER_AVAILABLE_IN_ALL
void                tether_channel_send_request_async  (TetherChannel        *self,
                                                        const char           *name,
                                                        GBytes               *payload,
                                                        gboolean              want_reply,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
TETHER_AVAILABLE_IN_ALL
gboolean            tether_channel_send_request_finish (TetherChannel        *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

G_END_DECLS
