/* tether-channel-private.h: what the files of TetherChannel share beyond
 * tether-connection-private.h. Included only by tether-channel*.c.
 */
#pragma once

#include "tether-connection-private.h"

G_BEGIN_DECLS

#define TETHER_TYPE_CHANNEL_OUTPUT_STREAM (tether_channel_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (TetherChannelOutputStream, tether_channel_output_stream,
                      TETHER, CHANNEL_OUTPUT_STREAM, GOutputStream)

struct _TetherChannelOutputStream
{
  GOutputStream parent_instance;
  TetherChannelShared *shared;
};

typedef struct
{
  const void *buffer;
  gsize count;
} WriteData;

/* tether-channel.c */
gsize
_tether_channel_in_take (TetherChannelInQueue *q,
                         void                 *buffer,
                         gsize                 count);

GError *
_tether_channel_closed_error (TetherChannelShared *sh);

void
_tether_channel_emit_closed (TetherChannel *self,
                             GError        *error);

void
_tether_channel_emit_counters (TetherChannel *self,
                               gpointer       data);

void
_tether_channel_emit_eof (TetherChannel *self,
                          gpointer       data);

void
_tether_channel_emit_request (TetherChannel *self,
                              GPtrArray     *args);

void
_tether_channel_request_args_free (GPtrArray *args);

/* tether-channel-streams.c */
GInputStream *
_tether_channel_input_stream_new (TetherChannelShared *shared,
                                  guint                index);

gsize
_tether_channel_out_put (TetherChannelShared *sh,
                         const void          *buffer,
                         gsize                count);

G_END_DECLS
