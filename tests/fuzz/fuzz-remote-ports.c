/* fuzz-remote-ports.c: libFuzzer target for the parser of what a server says listens on it
 * (/proc/net/tcp and tcp6 lines, the socket fds and names of processes, ss output).
 *
 * The input is the output of TETHER_REMOTE_PORTS_SCRIPT as a hostile server might send it.
 * Whatever it says, the ports must be 1 to 65535, each once and in order, each with an
 * address that parses back as an IP address, and no label may carry control characters or
 * invalid UTF-8. */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "tether-remote-ports-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Bounds the per-input work; the parser itself is linear. */
#define FUZZ_MAX_INPUT (256 * 1024)

static void
assert_label (const char *text)
{
  g_assert (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p++)
    g_assert ((guchar) *p >= 0x20 && *p != 0x7F);
}

static void
assert_addresses (const char *text)
{
  g_auto(GStrv) addresses = g_strsplit (text, ", ", -1);
  guint n = 0;

  for (guint i = 0; addresses[i] != NULL; i++, n++) {
    guint8 bytes[16];

    g_assert (inet_pton (AF_INET, addresses[i], bytes) == 1 ||
              inet_pton (AF_INET6, addresses[i], bytes) == 1);
  }
  g_assert (n >= 1 && n <= TETHER_REMOTE_PORTS_MAX_ADDRESSES);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(TetherRemotePortsScan) scan = NULL;
  guint previous = 0;

  if (size > FUZZ_MAX_INPUT)
    return 0;
  scan = _tether_remote_ports_parse ((const char *) data, size);
  g_assert (scan != NULL && scan->ports != NULL);
  for (guint i = 0; i < scan->ports->len; i++) {
    const TetherListening *l = &g_array_index (scan->ports, TetherListening, i);

    g_assert (l->port > previous && l->port <= 65535);
    previous = l->port;
    g_assert (l->address != NULL);
    assert_addresses (l->address);
    if (l->process != NULL) {
      g_assert (*l->process != '\0');
      g_assert (strlen (l->process) <= 3 * TETHER_REMOTE_PORTS_MAX_PROCESS);
      assert_label (l->process);
    }
  }
  return 0;
}
