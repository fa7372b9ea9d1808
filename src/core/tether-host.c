/* tether-host.c: a host's connection settings, named with OpenSSH's words.
 *
 * A TetherHost is a plain value object: the connection service reads it when
 * it connects, the host store fills it from ssh_config files, and the UI
 * edits it. Unset strings are NULL; an unset port is 0 and means 22.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-enums.h"
#include "tether-error.h"
#include "tether-host-private.h"

/**
 * TetherHost:
 *
 * Where to connect and how, named with OpenSSH's words: a destination plus the
 * ssh_config(5) options Tether understands.
 *
 * Make one from what a user types after `ssh` with
 * [ctor@Tether.Host.new_for_destination], from an alias with
 * [ctor@Tether.Host.new], or get a saved one, resolved as `ssh -G` would, from a
 * [class@Tether.HostStore]. The properties are the ssh_config keywords in kebab
 * case ([property@Tether.Host:hostname], [property@Tether.Host:port],
 * [property@Tether.Host:user], [property@Tether.Host:identity-files],
 * [property@Tether.Host:proxy-jump] and so on) plus Tether's own label, group,
 * colour and id. Unset strings are %NULL; an unset port is 0 and means 22. A
 * [class@Tether.Connection] reads its host when it connects, so change a copy
 * ([method@Tether.Host.copy]) rather than a host in use.
 *
 * Threading: a host is a plain value object with no locking; use it from one
 * thread at a time.
 */

struct _TetherHost
{
  GObject parent_instance;

  char *alias;
  char *id;
  char *label;
  char *group;
  char *hostname;
  guint port;
  char *user;
  GStrv identity_files;
  GStrv certificate_files;
  gboolean identities_only;
  char *proxy_jump;
  char *proxy_command;
  gboolean forward_agent;
  guint server_alive_interval;
  guint connect_timeout;
  GStrv preferred_authentications;
  char *known_hosts_file;
  TetherHostSource source;
  char *colour;
  GStrv local_forwards;
  GStrv remote_forwards;
  GStrv dynamic_forwards;
  gboolean auto_start_forwards;
  GObject *exec_config;  /* TetherSshConfig with Match exec left to run, or NULL */
  char *exec_alias;
};

G_DEFINE_FINAL_TYPE (TetherHost, tether_host, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ALIAS,
  PROP_LABEL,
  PROP_DISPLAY_NAME,
  PROP_GROUP,
  PROP_HOSTNAME,
  PROP_PORT,
  PROP_USER,
  PROP_IDENTITY_FILES,
  PROP_CERTIFICATE_FILES,
  PROP_IDENTITIES_ONLY,
  PROP_PROXY_JUMP,
  PROP_PROXY_COMMAND,
  PROP_FORWARD_AGENT,
  PROP_SERVER_ALIVE_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_PREFERRED_AUTHENTICATIONS,
  PROP_KNOWN_HOSTS_FILE,
  PROP_SOURCE,
  PROP_ID,
  PROP_COLOUR,
  PROP_LOCAL_FORWARDS,
  PROP_REMOTE_FORWARDS,
  PROP_DYNAMIC_FORWARDS,
  PROP_AUTO_START_FORWARDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Sets *field to value and notifies, when it changed. */
static void
set_string (TetherHost  *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  if (prop == PROP_LABEL || prop == PROP_HOSTNAME)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

static void
set_strv (TetherHost          *self,
          GStrv               *field,
          const char * const  *value,
          guint                prop)
{
  if (*field != NULL && value != NULL && g_strv_equal ((const char * const *) *field, value))
    return;
  if (*field == NULL && (value == NULL || value[0] == NULL))
    return;
  g_strfreev (*field);
  *field = (value != NULL && value[0] != NULL) ? g_strdupv ((char **) value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint (TetherHost *self,
          guint      *field,
          guint       value,
          guint       prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_bool (TetherHost *self,
          gboolean   *field,
          gboolean    value,
          guint       prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
tether_host_finalize (GObject *object)
{
  TetherHost *self = TETHER_HOST (object);

  g_free (self->alias);
  g_free (self->label);
  g_free (self->group);
  g_free (self->hostname);
  g_free (self->user);
  g_strfreev (self->identity_files);
  g_strfreev (self->certificate_files);
  g_strfreev (self->preferred_authentications);
  g_free (self->proxy_jump);
  g_free (self->proxy_command);
  g_free (self->known_hosts_file);
  g_free (self->id);
  g_free (self->colour);
  g_strfreev (self->local_forwards);
  g_strfreev (self->remote_forwards);
  g_strfreev (self->dynamic_forwards);
  g_clear_object (&self->exec_config);
  g_free (self->exec_alias);

  G_OBJECT_CLASS (tether_host_parent_class)->finalize (object);
}

static void
tether_host_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TetherHost *self = TETHER_HOST (object);

  switch (prop_id)
    {
    case PROP_ALIAS: g_value_set_string (value, self->alias); break;
    case PROP_LABEL: g_value_set_string (value, self->label); break;
    case PROP_DISPLAY_NAME: g_value_set_string (value, tether_host_get_display_name (self)); break;
    case PROP_GROUP: g_value_set_string (value, self->group); break;
    case PROP_HOSTNAME: g_value_set_string (value, self->hostname); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_USER: g_value_set_string (value, self->user); break;
    case PROP_IDENTITY_FILES: g_value_set_boxed (value, self->identity_files); break;
    case PROP_CERTIFICATE_FILES: g_value_set_boxed (value, self->certificate_files); break;
    case PROP_IDENTITIES_ONLY: g_value_set_boolean (value, self->identities_only); break;
    case PROP_PROXY_JUMP: g_value_set_string (value, self->proxy_jump); break;
    case PROP_PROXY_COMMAND: g_value_set_string (value, self->proxy_command); break;
    case PROP_FORWARD_AGENT: g_value_set_boolean (value, self->forward_agent); break;
    case PROP_SERVER_ALIVE_INTERVAL: g_value_set_uint (value, self->server_alive_interval); break;
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout); break;
    case PROP_PREFERRED_AUTHENTICATIONS:
      g_value_set_boxed (value, self->preferred_authentications);
      break;
    case PROP_KNOWN_HOSTS_FILE: g_value_set_string (value, self->known_hosts_file); break;
    case PROP_SOURCE: g_value_set_enum (value, self->source); break;
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_COLOUR: g_value_set_string (value, self->colour); break;
    case PROP_LOCAL_FORWARDS: g_value_set_boxed (value, self->local_forwards); break;
    case PROP_REMOTE_FORWARDS: g_value_set_boxed (value, self->remote_forwards); break;
    case PROP_DYNAMIC_FORWARDS: g_value_set_boxed (value, self->dynamic_forwards); break;
    case PROP_AUTO_START_FORWARDS: g_value_set_boolean (value, self->auto_start_forwards); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tether_host_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TetherHost *self = TETHER_HOST (object);

  switch (prop_id)
    {
    case PROP_ALIAS:
      g_free (self->alias);
      self->alias = g_value_dup_string (value);
      break;
    case PROP_LABEL: tether_host_set_label (self, g_value_get_string (value)); break;
    case PROP_GROUP: tether_host_set_group (self, g_value_get_string (value)); break;
    case PROP_HOSTNAME: tether_host_set_hostname (self, g_value_get_string (value)); break;
    case PROP_PORT: tether_host_set_port (self, g_value_get_uint (value)); break;
    case PROP_USER: tether_host_set_user (self, g_value_get_string (value)); break;
    case PROP_IDENTITY_FILES:
      tether_host_set_identity_files (self, g_value_get_boxed (value));
      break;
    case PROP_CERTIFICATE_FILES:
      tether_host_set_certificate_files (self, g_value_get_boxed (value));
      break;
    case PROP_IDENTITIES_ONLY:
      tether_host_set_identities_only (self, g_value_get_boolean (value));
      break;
    case PROP_PROXY_JUMP: tether_host_set_proxy_jump (self, g_value_get_string (value)); break;
    case PROP_PROXY_COMMAND:
      tether_host_set_proxy_command (self, g_value_get_string (value));
      break;
    case PROP_FORWARD_AGENT:
      tether_host_set_forward_agent (self, g_value_get_boolean (value));
      break;
    case PROP_SERVER_ALIVE_INTERVAL:
      tether_host_set_server_alive_interval (self, g_value_get_uint (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      tether_host_set_connect_timeout (self, g_value_get_uint (value));
      break;
    case PROP_PREFERRED_AUTHENTICATIONS:
      tether_host_set_preferred_authentications (self, g_value_get_boxed (value));
      break;
    case PROP_KNOWN_HOSTS_FILE:
      tether_host_set_known_hosts_file (self, g_value_get_string (value));
      break;
    case PROP_SOURCE: tether_host_set_source (self, g_value_get_enum (value)); break;
    case PROP_ID: tether_host_set_id (self, g_value_get_string (value)); break;
    case PROP_COLOUR: tether_host_set_colour (self, g_value_get_string (value)); break;
    case PROP_LOCAL_FORWARDS:
      tether_host_set_local_forwards (self, g_value_get_boxed (value));
      break;
    case PROP_REMOTE_FORWARDS:
      tether_host_set_remote_forwards (self, g_value_get_boxed (value));
      break;
    case PROP_DYNAMIC_FORWARDS:
      tether_host_set_dynamic_forwards (self, g_value_get_boxed (value));
      break;
    case PROP_AUTO_START_FORWARDS:
      tether_host_set_auto_start_forwards (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tether_host_class_init (TetherHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tether_host_finalize;
  object_class->get_property = tether_host_get_property;
  object_class->set_property = tether_host_set_property;

  /**
   * TetherHost:alias:
   *
   * The name the user types (`ssh ALIAS`): the `Host` pattern of a saved
   * host, or the destination it was made from.
   */
  properties[PROP_ALIAS] =
    g_param_spec_string ("alias", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHost:label:
   *
   * A human name for the host, shown in lists; %NULL for none.
   */
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, rw);
  /**
   * TetherHost:display-name:
   *
   * The label, else the alias, else the host name.
   */
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHost:group:
   *
   * The group the host is listed under; %NULL for none.
   */
  properties[PROP_GROUP] = g_param_spec_string ("group", NULL, NULL, NULL, rw);
  /**
   * TetherHost:hostname:
   *
   * The real host name or address to connect to (`HostName`); when %NULL the
   * alias is used.
   */
  properties[PROP_HOSTNAME] = g_param_spec_string ("hostname", NULL, NULL, NULL, rw);
  /**
   * TetherHost:port:
   *
   * The TCP port (`Port`); 0 means the default, 22.
   */
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, rw);
  /**
   * TetherHost:user:
   *
   * The login name (`User`); %NULL means the local user name.
   */
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, rw);
  /**
   * TetherHost:identity-files:
   *
   * Private key files to try, in order (`IdentityFile`).
   */
  properties[PROP_IDENTITY_FILES] =
    g_param_spec_boxed ("identity-files", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TetherHost:certificate-files:
   *
   * OpenSSH certificates to offer with the keys (`CertificateFile`).
   */
  properties[PROP_CERTIFICATE_FILES] =
    g_param_spec_boxed ("certificate-files", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TetherHost:preferred-authentications:
   *
   * The authentication methods to try, in this order, and only these
   * (`PreferredAuthentications`): `publickey` (the agent, then the identity
   * files), `keyboard-interactive` and `password`; other names are skipped.
   * %NULL or empty for the default order: publickey, keyboard-interactive,
   * password.
   */
  properties[PROP_PREFERRED_AUTHENTICATIONS] =
    g_param_spec_boxed ("preferred-authentications", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TetherHost:identities-only:
   *
   * Offer only the configured identity files, not every agent key
   * (`IdentitiesOnly`).
   */
  properties[PROP_IDENTITIES_ONLY] =
    g_param_spec_boolean ("identities-only", NULL, NULL, FALSE, rw);
  /**
   * TetherHost:proxy-jump:
   *
   * Jump hosts to go through, comma-separated `[user@]host[:port]` (`ProxyJump`).
   */
  properties[PROP_PROXY_JUMP] = g_param_spec_string ("proxy-jump", NULL, NULL, NULL, rw);
  /**
   * TetherHost:proxy-command:
   *
   * A command whose standard input and output carry the connection
   * (`ProxyCommand`), with `%h`, `%p` and `%r` expanded.
   */
  properties[PROP_PROXY_COMMAND] = g_param_spec_string ("proxy-command", NULL, NULL, NULL, rw);
  /**
   * TetherHost:forward-agent:
   *
   * Forward the local SSH agent to the server (`ForwardAgent`).
   */
  properties[PROP_FORWARD_AGENT] = g_param_spec_boolean ("forward-agent", NULL, NULL, FALSE, rw);
  /**
   * TetherHost:server-alive-interval:
   *
   * Seconds of silence before a keepalive is sent; 0 for none
   * (`ServerAliveInterval`).
   */
  properties[PROP_SERVER_ALIVE_INTERVAL] =
    g_param_spec_uint ("server-alive-interval", NULL, NULL, 0, G_MAXINT / 1000, 0, rw);
  /**
   * TetherHost:connect-timeout:
   *
   * Seconds to wait for the TCP connection and the server's greeting; 0 for
   * the system default (`ConnectTimeout`).
   */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_uint ("connect-timeout", NULL, NULL, 0, G_MAXINT / 1000, 0, rw);
  /**
   * TetherHost:known-hosts-file:
   *
   * The known_hosts file to check and update (`UserKnownHostsFile`); %NULL
   * means `~/.ssh/known_hosts`.
   */
  properties[PROP_KNOWN_HOSTS_FILE] =
    g_param_spec_string ("known-hosts-file", NULL, NULL, NULL, rw);
  /**
   * TetherHost:source:
   *
   * Where the host comes from.
   */
  properties[PROP_SOURCE] =
    g_param_spec_enum ("source", NULL, NULL, TETHER_TYPE_HOST_SOURCE,
                       TETHER_HOST_SOURCE_NONE, rw);
  /**
   * TetherHost:id:
   *
   * A stable, unique identifier of a saved host (a UUID, or one derived
   * from the alias of an `~/.ssh/config` host), kept in Tether's hosts file
   * as `#@tether id=`. The keyring finds the host's secrets by it, so it
   * survives renaming. %NULL for a host that is not saved.
   */
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, rw);
  /**
   * TetherHost:colour:
   *
   * A colour to tell the host apart in lists and tabs: a CSS colour name or
   * `#rrggbb` (`#@tether colour=`); %NULL for none.
   */
  properties[PROP_COLOUR] = g_param_spec_string ("colour", NULL, NULL, NULL, rw);
  /**
   * TetherHost:local-forwards:
   *
   * Local port forwards, each an ssh_config `LocalForward` value such as
   * `8080 localhost:80`.
   */
  properties[PROP_LOCAL_FORWARDS] =
    g_param_spec_boxed ("local-forwards", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TetherHost:remote-forwards:
   *
   * Remote port forwards, each an ssh_config `RemoteForward` value such as
   * `9000 localhost:3000`.
   */
  properties[PROP_REMOTE_FORWARDS] =
    g_param_spec_boxed ("remote-forwards", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TetherHost:dynamic-forwards:
   *
   * SOCKS proxies, each an ssh_config `DynamicForward` value such as `1080`
   * or `localhost:1080`.
   */
  properties[PROP_DYNAMIC_FORWARDS] =
    g_param_spec_boxed ("dynamic-forwards", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * TetherHost:auto-start-forwards:
   *
   * Start the host's forwards as soon as it is connected
   * (`#@tether auto-start-forwards=`); otherwise they wait to be started.
   */
  properties[PROP_AUTO_START_FORWARDS] =
    g_param_spec_boolean ("auto-start-forwards", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_host_init (TetherHost *self)
{
}

/**
 * tether_host_new:
 * @alias: the name of the host, as the user types it
 *
 * Makes a host with nothing but its alias set.
 *
 * Returns: (transfer full): a new host with nothing but its alias set
 */
TetherHost *
tether_host_new (const char *alias)
{
  g_return_val_if_fail (alias != NULL, NULL);

  return g_object_new (TETHER_TYPE_HOST, "alias", alias, NULL);
}

/* Parses PORT into *out; FALSE when it is not a port number. */
static gboolean
parse_port (const char *text,
            guint      *out)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &value, NULL))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

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
  guint port = 0;
  TetherHost *host;

  g_return_val_if_fail (destination != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rest = destination;
  if (g_ascii_strncasecmp (rest, "ssh://", strlen ("ssh://")) == 0)
    {
      rest += strlen ("ssh://");
      copy = g_strdup (rest);
      /* A trailing slash or path is meaningless for ssh:// and dropped. */
      copy[strcspn (copy, "/?#")] = '\0';
      rest = copy;
    }

  at = strrchr (rest, '@');
  if (at != NULL)
    {
      user = g_uri_unescape_segment (rest, at, NULL);
      rest = at + 1;
      /* ssh://user;fingerprint=...@host carries connection parameters we do not use. */
      if (user != NULL && strchr (user, ';') != NULL)
        *strchr (user, ';') = '\0';
      if (user == NULL || *user == '\0')
        goto bad;
    }

  if (rest[0] == '[')
    {
      const char *close = strchr (rest, ']');

      if (close == NULL || close == rest + 1)
        goto bad;
      host_part = g_strndup (rest + 1, close - rest - 1);
      if (close[1] == ':')
        {
          if (!parse_port (close + 2, &port))
            goto bad_port;
        }
      else if (close[1] != '\0')
        goto bad;
    }
  else
    {
      const char *colon = strchr (rest, ':');

      /* More than one colon and no brackets: a bare IPv6 address. */
      if (colon != NULL && strchr (colon + 1, ':') == NULL)
        {
          host_part = g_strndup (rest, colon - rest);
          if (!parse_port (colon + 1, &port))
            goto bad_port;
        }
      else
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
 * tether_host_copy:
 * @self: a #TetherHost
 *
 * Makes a new host with the same settings as @self.
 *
 * Returns: (transfer full): a new host with the same settings
 */
TetherHost *
tether_host_copy (TetherHost *self)
{
  TetherHost *copy;

  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  copy = tether_host_new (self->alias);
  copy->label = g_strdup (self->label);
  copy->group = g_strdup (self->group);
  copy->hostname = g_strdup (self->hostname);
  copy->port = self->port;
  copy->user = g_strdup (self->user);
  copy->identity_files = g_strdupv (self->identity_files);
  copy->certificate_files = g_strdupv (self->certificate_files);
  copy->preferred_authentications = g_strdupv (self->preferred_authentications);
  copy->identities_only = self->identities_only;
  copy->proxy_jump = g_strdup (self->proxy_jump);
  copy->proxy_command = g_strdup (self->proxy_command);
  copy->forward_agent = self->forward_agent;
  copy->server_alive_interval = self->server_alive_interval;
  copy->connect_timeout = self->connect_timeout;
  copy->known_hosts_file = g_strdup (self->known_hosts_file);
  copy->source = self->source;
  copy->id = g_strdup (self->id);
  copy->colour = g_strdup (self->colour);
  copy->local_forwards = g_strdupv (self->local_forwards);
  copy->remote_forwards = g_strdupv (self->remote_forwards);
  copy->dynamic_forwards = g_strdupv (self->dynamic_forwards);
  copy->auto_start_forwards = self->auto_start_forwards;
  if (self->exec_config != NULL)
    _tether_host_set_pending_exec (copy, self->exec_config, self->exec_alias);
  return copy;
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
  GString *s;

  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  host = self->hostname ? self->hostname : self->alias;
  s = g_string_new (NULL);
  if (self->user)
    g_string_append_printf (s, "%s@", self->user);
  if (strchr (host, ':') != NULL && self->port != 0)
    g_string_append_printf (s, "[%s]", host);
  else
    g_string_append (s, host);
  if (self->port != 0 && self->port != TETHER_DEFAULT_PORT)
    g_string_append_printf (s, ":%u", self->port);
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
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  return g_strdup (self->user ? self->user : g_get_user_name ());
}

/**
 * tether_host_get_alias:
 * @self: a #TetherHost
 *
 * Gets the alias.
 *
 * Returns: (nullable): the alias
 */
const char *
tether_host_get_alias (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->alias;
}

/**
 * tether_host_get_label:
 * @self: a #TetherHost
 *
 * Gets the label.
 *
 * Returns: (nullable): the label
 */
const char *
tether_host_get_label (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->label;
}

/**
 * tether_host_set_label:
 * @self: a #TetherHost
 * @label: (nullable): the new label
 *
 * Sets the label.
 */
void
tether_host_set_label (TetherHost *self,
                       const char *label)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->label, label, PROP_LABEL);
}

/**
 * tether_host_get_display_name:
 * @self: a #TetherHost
 *
 * Gets the name to show: label, else alias, else host name.
 *
 * Returns: the name to show: label, else alias, else host name
 */
const char *
tether_host_get_display_name (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  if (self->label)
    return self->label;
  if (self->alias)
    return self->alias;
  return self->hostname ? self->hostname : "";
}

/**
 * tether_host_get_group:
 * @self: a #TetherHost
 *
 * Gets the group.
 *
 * Returns: (nullable): the group
 */
const char *
tether_host_get_group (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->group;
}

/**
 * tether_host_set_group:
 * @self: a #TetherHost
 * @group: (nullable): the new group
 *
 * Sets the group.
 */
void
tether_host_set_group (TetherHost *self,
                       const char *group)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->group, group, PROP_GROUP);
}

/**
 * tether_host_get_hostname:
 * @self: a #TetherHost
 *
 * Gets the host name to connect to: #TetherHost:hostname, else the alias.
 *
 * Returns: the host name to connect to: #TetherHost:hostname, else the alias
 */
const char *
tether_host_get_hostname (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->hostname ? self->hostname : self->alias;
}

/**
 * tether_host_set_hostname:
 * @self: a #TetherHost
 * @hostname: (nullable): the new host name
 *
 * Sets the host name.
 */
void
tether_host_set_hostname (TetherHost *self,
                          const char *hostname)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->hostname, hostname, PROP_HOSTNAME);
}

/**
 * tether_host_get_port:
 * @self: a #TetherHost
 *
 * Gets the port to connect to (22 when unset).
 *
 * Returns: the port to connect to (22 when unset)
 */
guint
tether_host_get_port (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), 0);
  return self->port ? self->port : TETHER_DEFAULT_PORT;
}

/**
 * tether_host_set_port:
 * @self: a #TetherHost
 * @port: the new port, 0 for the default
 *
 * Sets the port, 0 for the default.
 */
void
tether_host_set_port (TetherHost *self,
                      guint       port)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  g_return_if_fail (port <= G_MAXUINT16);
  set_uint (self, &self->port, port, PROP_PORT);
}

/**
 * tether_host_get_user:
 * @self: a #TetherHost
 *
 * Gets the configured login name.
 *
 * Returns: (nullable): the configured login name
 */
const char *
tether_host_get_user (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->user;
}

/**
 * tether_host_set_user:
 * @self: a #TetherHost
 * @user: (nullable): the new login name
 *
 * Sets the login name.
 */
void
tether_host_set_user (TetherHost *self,
                      const char *user)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->user, user, PROP_USER);
}

/**
 * tether_host_get_identity_files:
 * @self: a #TetherHost
 *
 * Gets the identity files.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the identity files
 */
const char * const *
tether_host_get_identity_files (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return (const char * const *) self->identity_files;
}

/**
 * tether_host_set_identity_files:
 * @self: a #TetherHost
 * @files: (nullable) (array zero-terminated=1): the identity files
 *
 * Sets the identity files.
 */
void
tether_host_set_identity_files (TetherHost         *self,
                                const char * const *files)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_strv (self, &self->identity_files, files, PROP_IDENTITY_FILES);
}

/**
 * tether_host_get_certificate_files:
 * @self: a #TetherHost
 *
 * Gets the certificate files.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the certificate files
 */
const char * const *
tether_host_get_certificate_files (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return (const char * const *) self->certificate_files;
}

/**
 * tether_host_get_preferred_authentications:
 * @self: a #TetherHost
 *
 * Gets the authentication methods to try, in order; %NULL for the default.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   authentication methods to try, in order; %NULL for the default
 */
const char * const *
tether_host_get_preferred_authentications (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return (const char * const *) self->preferred_authentications;
}

/**
 * tether_host_set_preferred_authentications:
 * @self: a #TetherHost
 * @methods: (nullable) (array zero-terminated=1): the methods, such as
 *   `password`, in order; %NULL for the default
 *
 * Sets the authentication methods to try, in order.
 */
void
tether_host_set_preferred_authentications (TetherHost         *self,
                                           const char * const *methods)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_strv (self, &self->preferred_authentications, methods, PROP_PREFERRED_AUTHENTICATIONS);
}

/**
 * tether_host_set_certificate_files:
 * @self: a #TetherHost
 * @files: (nullable) (array zero-terminated=1): the certificate files
 *
 * Sets the certificate files.
 */
void
tether_host_set_certificate_files (TetherHost         *self,
                                   const char * const *files)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_strv (self, &self->certificate_files, files, PROP_CERTIFICATE_FILES);
}

/**
 * tether_host_get_identities_only:
 * @self: a #TetherHost
 *
 * Gets whether only the configured identities are offered.
 *
 * Returns: whether only the configured identities are offered
 */
gboolean
tether_host_get_identities_only (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->identities_only;
}

/**
 * tether_host_set_identities_only:
 * @self: a #TetherHost
 * @identities_only: whether only the configured identities are offered
 *
 * Sets whether only the configured identities are offered.
 */
void
tether_host_set_identities_only (TetherHost *self,
                                 gboolean    identities_only)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_bool (self, &self->identities_only, identities_only, PROP_IDENTITIES_ONLY);
}

/**
 * tether_host_get_proxy_jump:
 * @self: a #TetherHost
 *
 * Gets the jump hosts.
 *
 * Returns: (nullable): the jump hosts
 */
const char *
tether_host_get_proxy_jump (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->proxy_jump;
}

/**
 * tether_host_set_proxy_jump:
 * @self: a #TetherHost
 * @proxy_jump: (nullable): the jump hosts
 *
 * Sets the jump hosts.
 */
void
tether_host_set_proxy_jump (TetherHost *self,
                            const char *proxy_jump)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  /* OpenSSH spells "no jump host" as ProxyJump none. */
  if (proxy_jump != NULL && g_ascii_strcasecmp (proxy_jump, "none") == 0)
    proxy_jump = NULL;
  set_string (self, &self->proxy_jump, proxy_jump, PROP_PROXY_JUMP);
}

/**
 * tether_host_get_proxy_command:
 * @self: a #TetherHost
 *
 * Gets the proxy command.
 *
 * Returns: (nullable): the proxy command
 */
const char *
tether_host_get_proxy_command (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->proxy_command;
}

/**
 * tether_host_set_proxy_command:
 * @self: a #TetherHost
 * @proxy_command: (nullable): the proxy command
 *
 * Sets the proxy command.
 */
void
tether_host_set_proxy_command (TetherHost *self,
                               const char *proxy_command)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  if (proxy_command != NULL && g_ascii_strcasecmp (proxy_command, "none") == 0)
    proxy_command = NULL;
  set_string (self, &self->proxy_command, proxy_command, PROP_PROXY_COMMAND);
}

/**
 * tether_host_get_forward_agent:
 * @self: a #TetherHost
 *
 * Gets whether the agent is forwarded.
 *
 * Returns: whether the agent is forwarded
 */
gboolean
tether_host_get_forward_agent (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->forward_agent;
}

/**
 * tether_host_set_forward_agent:
 * @self: a #TetherHost
 * @forward_agent: whether the agent is forwarded
 *
 * Sets whether the agent is forwarded.
 */
void
tether_host_set_forward_agent (TetherHost *self,
                               gboolean    forward_agent)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_bool (self, &self->forward_agent, forward_agent, PROP_FORWARD_AGENT);
}

/**
 * tether_host_get_server_alive_interval:
 * @self: a #TetherHost
 *
 * Gets the seconds between keepalives, 0 for none.
 *
 * Returns: seconds between keepalives, 0 for none
 */
guint
tether_host_get_server_alive_interval (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), 0);
  return self->server_alive_interval;
}

/**
 * tether_host_set_server_alive_interval:
 * @self: a #TetherHost
 * @seconds: seconds between keepalives, 0 for none
 *
 * Sets the seconds between keepalives, 0 for none.
 */
void
tether_host_set_server_alive_interval (TetherHost *self,
                                       guint       seconds)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_uint (self, &self->server_alive_interval, seconds, PROP_SERVER_ALIVE_INTERVAL);
}

/**
 * tether_host_get_connect_timeout:
 * @self: a #TetherHost
 *
 * Gets the connect timeout in seconds, 0 for the default.
 *
 * Returns: the connect timeout in seconds, 0 for the default
 */
guint
tether_host_get_connect_timeout (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), 0);
  return self->connect_timeout;
}

/**
 * tether_host_set_connect_timeout:
 * @self: a #TetherHost
 * @seconds: the connect timeout in seconds, 0 for the default
 *
 * Sets the connect timeout in seconds, 0 for the default.
 */
void
tether_host_set_connect_timeout (TetherHost *self,
                                 guint       seconds)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_uint (self, &self->connect_timeout, seconds, PROP_CONNECT_TIMEOUT);
}

/**
 * tether_host_get_known_hosts_file:
 * @self: a #TetherHost
 *
 * Gets the known_hosts file, %NULL for `~/.ssh/known_hosts`.
 *
 * Returns: (nullable): the known_hosts file, %NULL for `~/.ssh/known_hosts`
 */
const char *
tether_host_get_known_hosts_file (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->known_hosts_file;
}

/**
 * tether_host_set_known_hosts_file:
 * @self: a #TetherHost
 * @path: (nullable) (type filename): the known_hosts file
 *
 * Sets the known_hosts file.
 */
void
tether_host_set_known_hosts_file (TetherHost *self,
                                  const char *path)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->known_hosts_file, path, PROP_KNOWN_HOSTS_FILE);
}

/**
 * tether_host_get_source:
 * @self: a #TetherHost
 *
 * Gets where the host comes from.
 *
 * Returns: where the host comes from
 */
TetherHostSource
tether_host_get_source (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), TETHER_HOST_SOURCE_NONE);
  return self->source;
}

/**
 * tether_host_set_source:
 * @self: a #TetherHost
 * @source: where the host comes from
 *
 * Sets where the host comes from.
 */
void
tether_host_set_source (TetherHost       *self,
                        TetherHostSource  source)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  if (self->source == source)
    return;
  self->source = source;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

/**
 * tether_host_get_id:
 * @self: a #TetherHost
 *
 * Gets the stable identifier of a saved host.
 *
 * Returns: (nullable): the stable identifier of a saved host
 */
const char *
tether_host_get_id (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->id;
}

/**
 * tether_host_set_id:
 * @self: a #TetherHost
 * @id: (nullable): the identifier
 *
 * Sets the stable identifier of a saved host.
 */
void
tether_host_set_id (TetherHost *self,
                    const char *id)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->id, id, PROP_ID);
}

/**
 * tether_host_get_colour:
 * @self: a #TetherHost
 *
 * Gets the colour.
 *
 * Returns: (nullable): the colour
 */
const char *
tether_host_get_colour (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->colour;
}

/**
 * tether_host_set_colour:
 * @self: a #TetherHost
 * @colour: (nullable): a CSS colour name or `#rrggbb`
 *
 * Sets the colour, a CSS colour name or `#rrggbb`.
 */
void
tether_host_set_colour (TetherHost *self,
                        const char *colour)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_string (self, &self->colour, colour, PROP_COLOUR);
}

/**
 * tether_host_get_local_forwards:
 * @self: a #TetherHost
 *
 * Gets the `LocalForward` values.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   `LocalForward` values
 */
const char * const *
tether_host_get_local_forwards (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return (const char * const *) self->local_forwards;
}

/**
 * tether_host_set_local_forwards:
 * @self: a #TetherHost
 * @forwards: (nullable) (array zero-terminated=1): `LocalForward` values
 *
 * Sets the `LocalForward` values.
 */
void
tether_host_set_local_forwards (TetherHost         *self,
                                const char * const *forwards)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_strv (self, &self->local_forwards, forwards, PROP_LOCAL_FORWARDS);
}

/**
 * tether_host_get_remote_forwards:
 * @self: a #TetherHost
 *
 * Gets the `RemoteForward` values.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   `RemoteForward` values
 */
const char * const *
tether_host_get_remote_forwards (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return (const char * const *) self->remote_forwards;
}

/**
 * tether_host_set_remote_forwards:
 * @self: a #TetherHost
 * @forwards: (nullable) (array zero-terminated=1): `RemoteForward` values
 *
 * Sets the `RemoteForward` values.
 */
void
tether_host_set_remote_forwards (TetherHost         *self,
                                 const char * const *forwards)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_strv (self, &self->remote_forwards, forwards, PROP_REMOTE_FORWARDS);
}

/**
 * tether_host_get_dynamic_forwards:
 * @self: a #TetherHost
 *
 * Gets the `DynamicForward` values.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   `DynamicForward` values
 */
const char * const *
tether_host_get_dynamic_forwards (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return (const char * const *) self->dynamic_forwards;
}

/**
 * tether_host_set_dynamic_forwards:
 * @self: a #TetherHost
 * @forwards: (nullable) (array zero-terminated=1): `DynamicForward` values
 *
 * Sets the `DynamicForward` values.
 */
void
tether_host_set_dynamic_forwards (TetherHost         *self,
                                  const char * const *forwards)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_strv (self, &self->dynamic_forwards, forwards, PROP_DYNAMIC_FORWARDS);
}

/**
 * tether_host_get_auto_start_forwards:
 * @self: a #TetherHost
 *
 * Gets whether the forwards start when the host is connected.
 *
 * Returns: whether the forwards start when the host is connected
 */
gboolean
tether_host_get_auto_start_forwards (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->auto_start_forwards;
}

/**
 * tether_host_set_auto_start_forwards:
 * @self: a #TetherHost
 * @auto_start: whether the forwards start when the host is connected
 *
 * Sets whether the forwards start when the host is connected.
 */
void
tether_host_set_auto_start_forwards (TetherHost *self,
                                     gboolean    auto_start)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  set_bool (self, &self->auto_start_forwards, auto_start, PROP_AUTO_START_FORWARDS);
}

void
_tether_host_set_pending_exec (TetherHost *self,
                               GObject    *config,
                               const char *alias)
{
  g_return_if_fail (TETHER_IS_HOST (self));

  g_set_object (&self->exec_config, config);
  g_free (self->exec_alias);
  self->exec_alias = g_strdup (alias);
}

GObject *
_tether_host_get_exec_config (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->exec_config;
}

const char *
_tether_host_get_exec_alias (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->exec_alias;
}

/**
 * tether_host_has_pending_match_exec:
 * @self: a #TetherHost
 *
 * Whether @self was resolved from ssh_config without running `Match exec`
 * commands that could change it (listing hosts never runs them). Resolve it
 * with tether_host_resolve_async () before connecting.
 *
 * Returns: %TRUE when `Match exec` commands are left to run
 */
gboolean
tether_host_has_pending_match_exec (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->exec_config != NULL;
}
