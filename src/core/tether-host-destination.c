/* tether-host-destination.c: a TetherHost from what a user types after `ssh`, and back.
 *
 * `[user@]host[:port]`, `[user@][v6addr]:port` and `ssh://` URIs become hosts; a host
 * becomes `user@host:port` for messages and the "Copy ssh command" action.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-host.h"
#include "tether-ssh-config-private.h"

/**
 * tether_host_new_for_destination:
 * @destination: `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`
 * @error: return location for a #GError
 *
 * Makes a host from what a user would type after `ssh`, or an `ssh://` URI
 * (RFC 4716 style, as GNOME and browsers hand them over).
 *
 * Returns: (transfer full): a new host, or %NULL with @error set
 *   (%TETHER_ERROR_CONFIG) when @destination is not a destination
 */
TetherHost *
tether_host_new_for_destination (const char  *destination,
                                 GError     **error)
{
  g_autofree char *copy = NULL;
  g_autofree char *user = NULL;
  g_autofree char *host_part = NULL;
  const char *rest;
  const char *at;
  int port = 0;
  TetherHost *host;

  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rest = destination;
  if (g_ascii_strncasecmp (rest, "ssh://", strlen ("ssh://")) == 0) {
    rest += strlen ("ssh://");
    copy = g_strdup (rest);
    /* A trailing slash or path is meaningless for ssh:// and dropped. */
    copy[strcspn (copy, "/?#")] = '\0';
    rest = copy;
  }

  at = strrchr (rest, '@');
  if (at != NULL) {
    user = g_uri_unescape_segment (rest, at, NULL);
    rest = at + 1;
    /* ssh://user;fingerprint=...@host carries connection parameters we do not use. */
    if (user != NULL && strchr (user, ';') != NULL)
      *strchr (user, ';') = '\0';
    if (user == NULL || *user == '\0')
      goto bad;
  }

  if (rest[0] == '[') {
    const char *close = strchr (rest, ']');

    if (close == NULL || close == rest + 1)
      goto bad;
    host_part = g_strndup (rest + 1, close - rest - 1);
    if (close[1] == ':') {
      if (!parse_port (close + 2, &port))
        goto bad_port;
    } else if (close[1] != '\0')
      goto bad;
  } else {
    const char *colon = strchr (rest, ':');

    /* More than one colon and no brackets: a bare IPv6 address. */
    if (colon != NULL && strchr (colon + 1, ':') == NULL) {
      host_part = g_strndup (rest, colon - rest);
      if (!parse_port (colon + 1, &port))
        goto bad_port;
    } else
      host_part = g_strdup (rest);
  }

  if (host_part == NULL || *host_part == '\0' ||
      strpbrk (host_part, " \t\r\n/@") != NULL)
    goto bad;

  host = tether_host_new (destination);
  tether_host_set_hostname (host, host_part);
  tether_host_set_user (host, user);
  tether_host_set_port (host, port);
  return host;

bad_port:
  g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
               _("“%s” does not end in a valid port number (1 to 65535)."), destination);
  return NULL;

bad:
  g_set_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG,
               _("“%s” is not a host to connect to: write it as user@host or user@host:port."),
               destination);
  return NULL;
}

/**
 * tether_host_dup_destination:
 * @self: a #TetherHost
 *
 * Formats the destination as `user@host:port`, as far as it is set.
 *
 * Returns: (transfer full): `user@host:port` as far as it is set, for
 *   messages and the "Copy ssh command" action
 */
char *
tether_host_dup_destination (TetherHost *self)
{
  const char *host;
  const char *user;
  guint port;
  GString *s;

  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  /* The port as set: 0 (unset) is not written. */
  g_object_get (self, "port", &port, NULL);
  host = tether_host_get_hostname (self);
  user = tether_host_get_user (self);
  s = g_string_new (NULL);
  if (user)
    g_string_append_printf (s, "%s@", user);
  if (strchr (host, ':') != NULL && port != 0)
    g_string_append_printf (s, "[%s]", host);
  else
    g_string_append (s, host);
  if (port != 0 && port != TETHER_DEFAULT_PORT)
    g_string_append_printf (s, ":%u", port);
  return g_string_free (s, FALSE);
}

/**
 * tether_host_dup_effective_user:
 * @self: a #TetherHost
 *
 * Gets the login name: #TetherHost:user, else the local user's name.
 *
 * Returns: (transfer full): the login name: #TetherHost:user, else the local user's name
 */
char *
tether_host_dup_effective_user (TetherHost *self)
{
  const char *user;

  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  user = tether_host_get_user (self);
  return g_strdup (user ? user : g_get_user_name ());
}

