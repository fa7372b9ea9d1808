/* fuzz-destination.c: libFuzzer target for what users type after `ssh` and in ProxyJump.
 *
 * The input is a destination (`user@host:port`, `[v6]:port`, `ssh://...`); it
 * is parsed whole, then as a ProxyJump list cut at commas the way the
 * connection does for each hop. A host that parses must be one that can be
 * connected to: a non-empty host name without blanks, `/` or `@`, a port in
 * range, a non-empty user when there is one.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "tether.h"

/* Bounds the per-input work. */
#define FUZZ_MAX_HOPS 16
#define PORT_MAX 65535

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fuzz_destination (const char *destination)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) host = tether_host_new_for_destination (destination, &error);
  g_autofree char *shown = NULL;
  const char *hostname;
  const char *user;

  g_assert ((host == NULL) == (error != NULL));
  if (host == NULL)
    {
      g_assert (error->domain == TETHER_ERROR && error->code == TETHER_ERROR_CONFIG);
      return;
    }
  hostname = tether_host_get_hostname (host);
  user = tether_host_get_user (host);
  g_assert (hostname != NULL && *hostname != '\0');
  g_assert (strpbrk (hostname, " \t\r\n/@") == NULL);
  g_assert (tether_host_get_port (host) <= PORT_MAX);
  g_assert (user == NULL || *user != '\0');
  shown = tether_host_dup_destination (host);
  g_assert (shown != NULL && strstr (shown, hostname) != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A C string: up to the first NUL, as GLib callers hand it over. */
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) hops = NULL;

  fuzz_destination (text);
  hops = g_strsplit (text, ",", FUZZ_MAX_HOPS);
  for (guint i = 0; hops[i] != NULL; i++)
    fuzz_destination (g_strstrip (hops[i]));
  return 0;
}
