/* fuzz-socks.c: libFuzzer target for the SOCKS4/4a/5 parser of dynamic forwards.
 *
 * The input is what a client sends, fed to the parser the way a forward does: in the chunks
 * the first byte's low bits choose, keeping what was not consumed. Whatever it says, the
 * parser must never consume more than it was given, must give a host with no control
 * characters and a port other than 0 for a CONNECT, and a reply no longer than its buffer. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tether-socks-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Bounds the per-input work, as a forward bounds what it keeps of a client's request. */
#define FUZZ_MAX_INPUT 4096

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  TetherSocks socks;
  gsize chunk;
  gsize have = 0;
  gsize start = 0;

  if (size < 1 || size > FUZZ_MAX_INPUT)
    return 0;
  chunk = 1 + (data[0] & 0x0F);
  data++;
  size--;

  tether_socks_init (&socks);
  while (have < size) {
    TetherSocksStep step;
    gsize consumed = 0;

    have = MIN (size, have + chunk);
    step = tether_socks_feed (&socks, data + start, have - start, &consumed);
    g_assert (consumed <= have - start);
    g_assert (socks.reply_len <= TETHER_SOCKS_MAX_REPLY);
    if (step == TETHER_SOCKS_NEED_MORE) {
      g_assert (consumed == 0);
      continue;
    }
    if (step == TETHER_SOCKS_FAIL) {
      g_assert (socks.failure != NULL);
      return 0;
    }
    g_assert (consumed > 0);
    start += consumed;
    if (step == TETHER_SOCKS_CONNECT) {
      guint8 reply[TETHER_SOCKS_MAX_REPLY];

      g_assert (socks.port != 0);
      g_assert (socks.host[0] != '\0');
      for (const char *p = socks.host; *p != '\0'; p++)
        g_assert ((guint8) *p > 0x20 && *p != 0x7F);
      g_assert (tether_socks_reply (&socks, TETHER_SOCKS_SUCCEEDED, reply) <=
                TETHER_SOCKS_MAX_REPLY);
      return 0;
    }
  }
  return 0;
}
