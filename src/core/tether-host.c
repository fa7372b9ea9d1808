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

G_DEFINE_FINAL_TYPE (TetherHost, tether_host, G_TYPE_OBJECT)


GParamSpec *_tether_host_properties[N_PROPS];

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
  g_free (self->palette);
  g_strfreev (self->local_forwards);
  g_strfreev (self->remote_forwards);
  g_strfreev (self->dynamic_forwards);
  g_free (self->auto_forward_ports_filter);
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

  switch (prop_id) {
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
  case PROP_KEEP_SHELLS: g_value_set_boolean (value, self->keep_shells); break;
  case PROP_AUTO_FORWARD_PORTS: g_value_set_boolean (value, self->auto_forward_ports); break;
  case PROP_AUTO_FORWARD_PORTS_FILTER:
    g_value_set_string (value, self->auto_forward_ports_filter);
    break;
  case PROP_PALETTE: g_value_set_string (value, self->palette); break;
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

  switch (prop_id) {
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
  case PROP_KEEP_SHELLS:
    tether_host_set_keep_shells (self, g_value_get_boolean (value));
    break;
  case PROP_AUTO_FORWARD_PORTS:
    tether_host_set_auto_forward_ports (self, g_value_get_boolean (value));
    break;
  case PROP_AUTO_FORWARD_PORTS_FILTER:
    tether_host_set_auto_forward_ports_filter (self, g_value_get_string (value));
    break;
  case PROP_PALETTE: tether_host_set_palette (self, g_value_get_string (value)); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_class_init (TetherHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamSpec **properties = _tether_host_properties;
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
  /**
   * TetherHost:keep-shells:
   *
   * Keep shells running on the server: each tab runs in a tmux session
   * there and attaches to it again after a reconnect or a restart
   * (`#@tether keep-shells=`).
   */
  properties[PROP_KEEP_SHELLS] =
    g_param_spec_boolean ("keep-shells", NULL, NULL, FALSE, rw);
  /**
   * TetherHost:auto-forward-ports:
   *
   * Forward the ports that programs on the server start listening on while
   * the host is connected, each to the same local port when it is free
   * (`#@tether auto-forward-ports=`); see
   * [property@Tether.Host:auto-forward-ports-filter] for which ports.
   */
  properties[PROP_AUTO_FORWARD_PORTS] =
    g_param_spec_boolean ("auto-forward-ports", NULL, NULL, FALSE, rw);
  /**
   * TetherHost:auto-forward-ports-filter:
   *
   * Which ports [property@Tether.Host:auto-forward-ports] forwards
   * (`#@tether auto-forward-ports-filter=`): comma-separated ports (`8080`)
   * and ranges (`3000-3999`) to forward, and ports or ranges after `!`
   * (`!5432`) never to forward. Without any port to forward every port is
   * forwarded but 22; %NULL or empty means that. See
   * tether_remote_ports_filter_allows().
   */
  properties[PROP_AUTO_FORWARD_PORTS_FILTER] =
    g_param_spec_string ("auto-forward-ports-filter", NULL, NULL, NULL, rw);
  /**
   * TetherHost:palette:
   *
   * The terminal colours of the host's tabs, by the app's name for a palette
   * (`#@tether palette=`); %NULL for the app's choice. The core does not
   * interpret it: an app that does not know the name uses its own choice.
   */
  properties[PROP_PALETTE] = g_param_spec_string ("palette", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, _tether_host_properties);
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

/* A copy of SELF under ALIAS (the alias is construct-only): every writable property, and the
 * `Match exec` left to run. */
TetherHost *
_tether_host_copy_with_alias (TetherHost *self,
                              const char *alias)
{
  g_autofree GParamSpec **pspecs = NULL;
  TetherHost *copy;
  guint n;

  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  copy = tether_host_new (alias);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n);
  for (guint i = 0; i < n; i++) {
    g_auto(GValue) value = G_VALUE_INIT;

    if ((pspecs[i]->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE ||
        (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY) != 0)
      continue;
    g_object_get_property (G_OBJECT (self), pspecs[i]->name, &value);
    g_object_set_property (G_OBJECT (copy), pspecs[i]->name, &value);
  }
  if (self->exec_config != NULL)
    _tether_host_set_pending_exec (copy, self->exec_config, self->exec_alias);
  return copy;
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
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);

  return _tether_host_copy_with_alias (self, self->alias);
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
