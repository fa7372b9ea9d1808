/* fuzz-sftp.c: libFuzzer target for the SFTP v3 reply decoder.
 *
 * The input is a byte stream as a server would send it: framed messages, decoded one after
 * another the way the client does. Whatever it says, the decoder must never read past a
 * message, every span it returns must lie inside that message, and a NAME's entries must
 * be at most what the bytes can hold. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tether-sftp-wire-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Room for a few maximum-size replies. */
#define FUZZ_MAX_INPUT (1024 * 1024)

static void
assert_inside (const TetherSftpSpan *span,
               const guint8         *msg,
               gsize                 len)
{
  if (span->len == 0)
    return;
  g_assert (span->data >= msg);
  g_assert (span->data + span->len <= msg + len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  gsize pos = 0;

  if (size > FUZZ_MAX_INPUT)
    return 0;

  while (pos < size) {
    g_autoptr(GError) error = NULL;
    TetherSftpReply reply;
    gssize frame = _tether_sftp_frame_length (data + pos, size - pos, &error);
    const guint8 *msg;
    gsize len;

    if (frame <= 0) {
      g_assert ((frame < 0) == (error != NULL));
      return 0;
    }
    g_assert ((gsize) frame <= size - pos);
    g_assert ((gsize) frame <= TETHER_SFTP_MAX_REPLY + 4);
    msg = data + pos + 4;
    len = frame - 4;
    pos += frame;

    if (!_tether_sftp_reply_parse (msg, len, &reply, &error)) {
      g_assert (error != NULL);
      g_assert (reply.names == NULL && reply.extensions == NULL);
      continue;
    }
    assert_inside (&reply.message, msg, len);
    assert_inside (&reply.handle, msg, len);
    assert_inside (&reply.data, msg, len);
    if (reply.names != NULL) {
      g_assert (reply.names->len <= len / 12);
      for (guint i = 0; i < reply.names->len; i++) {
        TetherSftpName *n = &g_array_index (reply.names, TetherSftpName, i);

        assert_inside (&n->filename, msg, len);
        assert_inside (&n->longname, msg, len);
      }
    }
    if (reply.type == TETHER_SFTP_STATUS) {
      g_autoptr(GError) status = _tether_sftp_status_to_error (reply.status, &reply.message);

      g_assert (status->domain == G_IO_ERROR);
      g_assert (g_utf8_validate (status->message, -1, NULL));
    }
    if (reply.type == TETHER_SFTP_EXTENDED_REPLY) {
      TetherSftpStatvfs st;
      g_autoptr(GError) st_error = NULL;

      if (!_tether_sftp_parse_statvfs (&reply.data, &st, &st_error))
        g_assert (st_error != NULL);
    }
    _tether_sftp_reply_clear (&reply);
  }
  return 0;
}
