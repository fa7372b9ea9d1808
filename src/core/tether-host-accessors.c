/* tether-host-accessors.c: the getters and setters of TetherHost's properties.
 *
 * A setter notifies only when the value changes (G_PARAM_EXPLICIT_NOTIFY); unset strings and
 * lists are NULL.
 */
#include "config.h"

#include <string.h>

#include "tether-host-private.h"

/* Sets *field to value and notifies, when it changed. */
void
_tether_host_set_string (TetherHost  *self,
                         char       **field,
                         const char  *value,
                         guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), _tether_host_properties[prop]);
  if (prop == PROP_LABEL || prop == PROP_HOSTNAME)
    g_object_notify_by_pspec (G_OBJECT (self), _tether_host_properties[PROP_DISPLAY_NAME]);
}

void
_tether_host_set_strv (TetherHost         *self,
                       GStrv              *field,
                       const char * const *value,
                       guint               prop)
{
  if (*field != NULL && value != NULL && g_strv_equal ((const char * const *) *field, value))
    return;
  if (*field == NULL && (value == NULL || value[0] == NULL))
    return;
  g_strfreev (*field);
  *field = (value != NULL && value[0] != NULL) ? g_strdupv ((char **) value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), _tether_host_properties[prop]);
}

void
_tether_host_set_uint (TetherHost *self,
                       guint      *field,
                       guint       value,
                       guint       prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), _tether_host_properties[prop]);
}

void
_tether_host_set_bool (TetherHost *self,
                       gboolean   *field,
                       gboolean    value,
                       guint       prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), _tether_host_properties[prop]);
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
  _tether_host_set_string (self, &self->label, label, PROP_LABEL);
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
  _tether_host_set_string (self, &self->group, group, PROP_GROUP);
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
  _tether_host_set_string (self, &self->hostname, hostname, PROP_HOSTNAME);
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
 * tether_host_has_port:
 * @self: a #TetherHost
 *
 * Gets whether the host names its port, rather than using the default one: a destination
 * typed as `host:port` does, `host` does not.
 *
 * Returns: whether a port was set
 */
gboolean
tether_host_has_port (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->port != 0;
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
  _tether_host_set_uint (self, &self->port, port, PROP_PORT);
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
  _tether_host_set_string (self, &self->user, user, PROP_USER);
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
  _tether_host_set_strv (self, &self->identity_files, files, PROP_IDENTITY_FILES);
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
  _tether_host_set_strv (self, &self->preferred_authentications, methods,
                         PROP_PREFERRED_AUTHENTICATIONS);
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
  _tether_host_set_strv (self, &self->certificate_files, files, PROP_CERTIFICATE_FILES);
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
  _tether_host_set_bool (self, &self->identities_only, identities_only, PROP_IDENTITIES_ONLY);
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
  _tether_host_set_string (self, &self->proxy_jump, proxy_jump, PROP_PROXY_JUMP);
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
  _tether_host_set_string (self, &self->proxy_command, proxy_command, PROP_PROXY_COMMAND);
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
  _tether_host_set_bool (self, &self->forward_agent, forward_agent, PROP_FORWARD_AGENT);
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
  _tether_host_set_uint (self, &self->server_alive_interval, seconds, PROP_SERVER_ALIVE_INTERVAL);
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
  _tether_host_set_uint (self, &self->connect_timeout, seconds, PROP_CONNECT_TIMEOUT);
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
  _tether_host_set_string (self, &self->known_hosts_file, path, PROP_KNOWN_HOSTS_FILE);
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
  g_object_notify_by_pspec (G_OBJECT (self), _tether_host_properties[PROP_SOURCE]);
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
  _tether_host_set_string (self, &self->id, id, PROP_ID);
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
  _tether_host_set_string (self, &self->colour, colour, PROP_COLOUR);
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
  _tether_host_set_strv (self, &self->local_forwards, forwards, PROP_LOCAL_FORWARDS);
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
  _tether_host_set_strv (self, &self->remote_forwards, forwards, PROP_REMOTE_FORWARDS);
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
  _tether_host_set_strv (self, &self->dynamic_forwards, forwards, PROP_DYNAMIC_FORWARDS);
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
  _tether_host_set_bool (self, &self->auto_start_forwards, auto_start, PROP_AUTO_START_FORWARDS);
}

/**
 * tether_host_get_keep_shells:
 * @self: a #TetherHost
 *
 * Gets whether each terminal of the host runs in a tmux session on the server.
 *
 * Returns: whether shells are kept running on the server (in tmux)
 */
gboolean
tether_host_get_keep_shells (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->keep_shells;
}

/**
 * tether_host_set_keep_shells:
 * @self: a #TetherHost
 * @keep_shells: whether shells are kept running on the server (in tmux)
 *
 * Sets whether each terminal of the host runs in a tmux session on the server, so that it
 * survives a dropped connection.
 */
void
tether_host_set_keep_shells (TetherHost *self,
                             gboolean    keep_shells)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  _tether_host_set_bool (self, &self->keep_shells, keep_shells, PROP_KEEP_SHELLS);
}

/**
 * tether_host_get_auto_forward_ports:
 * @self: a #TetherHost
 *
 * Gets whether ports that start listening on the server are forwarded by themselves.
 *
 * Returns: whether new listening ports on the server are forwarded
 */
gboolean
tether_host_get_auto_forward_ports (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), FALSE);
  return self->auto_forward_ports;
}

/**
 * tether_host_set_auto_forward_ports:
 * @self: a #TetherHost
 * @auto_forward: whether new listening ports on the server are forwarded
 *
 * Sets whether ports that start listening on the server are forwarded by themselves (those
 * that #TetherHost:auto-forward-ports-filter allows).
 */
void
tether_host_set_auto_forward_ports (TetherHost *self,
                                    gboolean    auto_forward)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  _tether_host_set_bool (self, &self->auto_forward_ports, auto_forward,
                         PROP_AUTO_FORWARD_PORTS);
}

/**
 * tether_host_get_auto_forward_ports_filter:
 * @self: a #TetherHost
 *
 * Gets which ports are forwarded by themselves, as tether_remote_ports_filter_allows() reads
 * it.
 *
 * Returns: (nullable): the filter, or %NULL for every port but 22
 */
const char *
tether_host_get_auto_forward_ports_filter (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->auto_forward_ports_filter;
}

/**
 * tether_host_set_auto_forward_ports_filter:
 * @self: a #TetherHost
 * @filter: (nullable): ports and ranges to forward and, after `!`, not to forward, such as
 *   `3000-3999,8080,!3306`; %NULL or empty for every port but 22
 *
 * Sets which ports are forwarded by themselves (see #TetherHost:auto-forward-ports-filter).
 */
void
tether_host_set_auto_forward_ports_filter (TetherHost *self,
                                           const char *filter)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  _tether_host_set_string (self, &self->auto_forward_ports_filter, filter,
                           PROP_AUTO_FORWARD_PORTS_FILTER);
}

/**
 * tether_host_get_palette:
 * @self: a #TetherHost
 *
 * Gets the name of the terminal palette of the host's tabs.
 *
 * Returns: (nullable): the palette's name, or %NULL for the app's choice
 */
const char *
tether_host_get_palette (TetherHost *self)
{
  g_return_val_if_fail (TETHER_IS_HOST (self), NULL);
  return self->palette;
}

/**
 * tether_host_set_palette:
 * @self: a #TetherHost
 * @palette: (nullable): a palette's name, or %NULL for the app's choice
 *
 * Sets the name of the terminal palette of the host's tabs.
 */
void
tether_host_set_palette (TetherHost *self,
                         const char *palette)
{
  g_return_if_fail (TETHER_IS_HOST (self));
  _tether_host_set_string (self, &self->palette, palette, PROP_PALETTE);
}
