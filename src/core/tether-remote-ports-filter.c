/* tether-remote-ports-filter.c: which ports TetherHost:auto-forward-ports-filter lets be
 * forwarded by themselves: `3000-3999,8080,!22`.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-error.h"
#include "tether-remote-ports.h"
#include "tether-remote-ports-private.h"

#define PORT_MAX 65535

/* Port 22 is the SSH server itself: forwarding it by default is never what was meant. */
#define DEFAULT_DENIED_PORT 22
#define FILTER_SEPARATORS ", \t"

typedef struct
{
  guint low;
  guint high;
  gboolean deny;
} FilterItem;

static gboolean
parse_filter_port (const char *text,
                   guint      *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, PORT_MAX, &value, NULL))
    return FALSE;
  *port = (guint) value;
  return TRUE;
}

/* The items of @filter, or NULL with @error when one is not a port or a range. */
static GArray *
parse_filter (const char  *filter,
              GError     **error)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (FilterItem));
  g_auto(GStrv) words = g_strsplit_set (filter != NULL ? filter : "", FILTER_SEPARATORS, -1);

  for (guint i = 0; words[i] != NULL; i++) {
    FilterItem item = { 0 };
    const char *word = words[i];
    const char *dash;

    if (*word == '\0')
      continue;
    if (*word == '!') {
      item.deny = TRUE;
      word++;
    }
    dash = strchr (word, '-');
    if (dash != NULL) {
      g_autofree char *low = g_strndup (word, dash - word);

      if (!parse_filter_port (low, &item.low) || !parse_filter_port (dash + 1, &item.high) ||
          item.low > item.high) {
        g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                     _("“%s” is not a range of ports: write it as 3000-3999."), words[i]);
        return NULL;
      }
    } else if (parse_filter_port (word, &item.low)) {
      item.high = item.low;
    } else {
      g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
                   _("“%s” is not a port: write ports from 1 to 65535, ranges such as "
                     "3000-3999, and ! before those not to forward."), words[i]);
      return NULL;
    }
    g_array_append_val (items, item);
  }
  return g_steal_pointer (&items);
}

/**
 * tether_remote_ports_filter_allows:
 * @filter: (nullable): a filter of ports, as #TetherHost:auto-forward-ports-filter holds
 * @port: a port number
 *
 * Whether @filter lets @port be forwarded by itself. The filter is a list of ports
 * (`8080`) and ranges (`3000-3999`) separated by commas or spaces; one after `!`
 * (`!5432`, `!6000-6100`) is never forwarded. A port is allowed when no `!` item names it
 * and either an item without `!` names it or there is no such item, in which case every
 * port but 22 (the SSH server) is. So %NULL or an empty filter allows every port but 22,
 * `!5432` every port but 22 and 5432, `3000-3999,8080,!3306` those ports except 3306.
 * A filter that does not parse (see tether_remote_ports_filter_check()) allows nothing.
 *
 * Returns: %TRUE when @port may be forwarded
 */
gboolean
tether_remote_ports_filter_allows (const char *filter,
                                   guint       port)
{
  g_autoptr(GArray) items = parse_filter (filter, NULL);
  gboolean has_allow = FALSE;
  gboolean allowed = FALSE;

  if (items == NULL || port == 0 || port > PORT_MAX)
    return FALSE;
  for (guint i = 0; i < items->len; i++) {
    FilterItem *item = &g_array_index (items, FilterItem, i);
    gboolean names = port >= item->low && port <= item->high;

    if (item->deny && names)
      return FALSE;
    if (!item->deny) {
      has_allow = TRUE;
      allowed = allowed || names;
    }
  }
  return has_allow ? allowed : port != DEFAULT_DENIED_PORT;
}

/**
 * tether_remote_ports_filter_check:
 * @filter: (nullable): a filter of ports (see tether_remote_ports_filter_allows())
 * @error: return location for a #GError (%TETHER_ERROR_CONFIG)
 *
 * Checks @filter, for an editor to tell what is wrong with it.
 *
 * Returns: %TRUE when @filter is well-formed
 */
gboolean
tether_remote_ports_filter_check (const char  *filter,
                                  GError     **error)
{
  g_autoptr(GArray) items = parse_filter (filter, error);

  return items != NULL;
}

/* Whether @filter names ports to forward (has items without `!`), which the default of
 * every port but 22 does not. */
gboolean
_tether_remote_ports_filter_names_ports (const char *filter)
{
  g_autoptr(GArray) items = parse_filter (filter, NULL);

  for (guint i = 0; items != NULL && i < items->len; i++) {
    if (!g_array_index (items, FilterItem, i).deny)
      return TRUE;
  }
  return FALSE;
}
